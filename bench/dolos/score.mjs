// Scores every pair of the given files with Dolos (bench/similarity.py runs this):
// node score.mjs LANGUAGE FILE... prints [{"a": FILE, "b": FILE, "similarity": 0..1}, ...].
import { Dolos } from "@dodona/dolos-lib";

const [language, ...files] = process.argv.slice(2);
const report = await new Dolos({ language }).analyzePaths(files);
const pairs = report.allPairs().map((pair) => ({
  a: pair.leftFile.path,
  b: pair.rightFile.path,
  similarity: pair.similarity,
}));
process.stdout.write(JSON.stringify(pairs));
