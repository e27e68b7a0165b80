// The person behind every commit the checks make by hand (a team's change, a teammate's push, a release of a
// template repository), as git reads an author and committer from the environment.
export const DEVELOPER = { name: 'dev', email: 'dev@example.com' };

export const DEVELOPER_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: DEVELOPER.name,
  GIT_AUTHOR_EMAIL: DEVELOPER.email,
  GIT_COMMITTER_NAME: DEVELOPER.name,
  GIT_COMMITTER_EMAIL: DEVELOPER.email,
};
