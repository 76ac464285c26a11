// A contest's live leaderboard (components/board.js) under the contest's header; `per` in the
// address sets the page size.

import { BoardView } from "../components/board.js";
import { contestHeader } from "../components/contest-header.js";
import { h } from "../dom.js";
import { pageSize } from "../logic/board.js";

export async function leaderboardView(app, cid, params) {
  const { contest, header, setFrozen, stop } = await contestHeader(app, cid, "/leaderboard");
  const board = new BoardView({ api: app.api, live: app.live, contest, me: app.session.user?.username,
    pageSize: pageSize(params.get("per")), onFrozen: (frozen) => setFrozen(frozen, contest.state === "unfrozen") });
  app.show(header, h("h1", { class: "visually-hidden" }, `${contest.title} leaderboard`), board.element);
  await board.start();
  return () => { board.destroy(); stop(); };
}
