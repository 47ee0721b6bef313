// In-memory bookmark store: one list per tag.
export interface Bookmark {
  url: string;
  title: string;
  tags: string[];
}

export class Store {
  private readonly items: Bookmark[] = [];

  add(bookmark: Bookmark): number {
    this.items.push(bookmark);
    return this.items.length;
  }

  byTag(tag: string): Bookmark[] {
    return this.items.filter((item) => item.tags.includes(tag));
  }

  get size(): number {
    return this.items.length;
  }
}
