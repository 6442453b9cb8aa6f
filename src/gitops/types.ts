// Types shared by the GitOps modules: an Application's source as Argo CD writes it, repository
// credentials, and rendered manifests that remember where they came from.

/** `spec.source` (or one of `spec.sources`) of an argoproj.io/v1alpha1 Application. */
export interface ApplicationSource {
  repoURL: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
  ref?: string;
  directory?: { recurse?: boolean; include?: string; exclude?: string; jsonnet?: unknown };
  kustomize?: {
    namePrefix?: string; nameSuffix?: string; images?: string[]; namespace?: string;
    commonLabels?: Record<string, string>; commonAnnotations?: Record<string, string>;
  };
  helm?: {
    valueFiles?: string[]; values?: string; valuesObject?: Record<string, unknown>;
    parameters?: Array<{ name: string; value: string; forceString?: boolean }>; releaseName?: string;
  };
}

/** Credentials for repositories: an exact `url`, or a URL prefix when `prefix` (Argo CD's repo-creds). */
export interface RepoCredential {
  url: string;
  prefix?: boolean;
  username?: string;
  password?: string;
  sshPrivateKey?: string;
  insecure?: boolean;
  /** ssh known_hosts lines (Argo CD's argocd-ssh-known-hosts-cm); none: an ssh host is never trusted unless insecure */
  knownHosts?: string;
}

/** One object of a rendered source, with the file (relative to the repository root) and line it starts at. */
export interface RenderedManifest {
  object: Record<string, unknown>;
  file: string;
  line: number;
}
