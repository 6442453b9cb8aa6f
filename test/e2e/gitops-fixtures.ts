// Manifests the GitOps end-to-end tests commit: ConfigMaps (with a sync wave when asked) and a
// PreSync hook that is a Tekton PipelineRun.

export const cm = (name: string, value: string, wave?: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${wave ? `  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n` : ''}data:\n  value: ${value}\n`;

/** A PreSync hook PipelineRun `migrate` whose one step sleeps a second (so waves after it are visibly later). */
export const presyncHook = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  pipelineSpec:
    tasks:
    - name: migrate
      taskSpec:
        steps:
        - name: run
          image: busybox
          script: |
            sleep 1
            echo migrated
`;
