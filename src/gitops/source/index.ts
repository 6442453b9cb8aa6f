export { createGitSource, GitSourceError, type GitSource, type GitSourceOptions } from './git.ts';
export { credentialFor, credentialsFromSecrets, normalizeRepoURL, SECRET_TYPE_LABEL } from './credentials.ts';
