export { createGitSource, GitSourceError, type GitSource, type GitSourceOptions } from './git.ts';
export { credentialFor, credentialsFromSecrets, normalizeRepoURL } from './credentials.ts';
export { SECRET_TYPE_LABEL } from '../secrets.ts';
