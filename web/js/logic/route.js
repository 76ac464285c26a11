// The app's addresses are hashes: "#/contests/7?per=100". The route of a hash is the first of
// `routes` ([pattern, view] pairs) whose pattern matches its path, with the pattern's groups as
// `args` and the query as `params` (URLSearchParams); null when none does. An empty hash is
// the contest list.

export const HOME = "/contests";

export function resolve(hash, routes) {
  const [path, query] = (hash.replace(/^#/, "") || HOME).split("?");
  for (const [pattern, view] of routes) {
    const match = pattern.exec(path);
    if (match) return { view, args: match.slice(1), params: new URLSearchParams(query || "") };
  }
  return null;
}
