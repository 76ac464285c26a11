// GET /languages: the languages offered now, every language's title and file extensions (the
// server's copy of the judge's language registry) and the source size limit. The submit form
// asks afresh, its offer must be current; titles of past submissions come from the first answer.

import { titlesOf } from "./logic/source.js";

export class Languages {
  constructor(api) {
    this.api = api;
    this.titlesOnce = null; // a promise of name → title
  }

  offer() {
    const answer = this.api.get("/languages");
    if (!this.titlesOnce) {
      this.titlesOnce = answer.then(({ catalog }) => titlesOf(catalog), () => {
        this.titlesOnce = null;
        return (name) => name;
      });
    }
    return answer;
  }

  // A promise of a function from a language's name to its title.
  titles() {
    if (!this.titlesOnce) this.offer().catch(() => {});
    return this.titlesOnce;
  }
}
