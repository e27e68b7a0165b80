// The repositories the local publish action committed in this run, by GitHub owner and name: the publish
// action adds them, the URL reader and the portal's pages read them.

/** A repository the stand-in published. */
export interface Published {
  dir: string;
  branch: string;
}

export class PublishedRepositories {
  private readonly repos = new Map<string, Published>();

  get(owner: string, repo: string): Published | undefined {
    return this.repos.get(`${owner}/${repo}`);
  }

  has(owner: string, repo: string): boolean {
    return this.repos.has(`${owner}/${repo}`);
  }

  add(owner: string, repo: string, published: Published): void {
    this.repos.set(`${owner}/${repo}`, published);
  }
}
