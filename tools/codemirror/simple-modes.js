// Stream modes for the languages CodeMirror has none for (Ada, Elixir, Prolog, AWK): keywords,
// comments, strings, numbers and each language's variables, enough to read a contestant's code
// by. Each is a legacy-mode spec, made a language by StreamLanguage.define (codemirror.js).

function simpleMode({ name, keywords, builtins = [], lineComment, blockComment, quotes = "\"'",
  variable = null, caseFold = false, word = /^[A-Za-z_][\w]*/ }) {
  const fold = (text) => (caseFold ? text.toLowerCase() : text);
  const words = new Set(keywords.map(fold));
  const known = new Set(builtins.map(fold));
  return {
    name,
    startState: () => ({ inComment: false }),
    token(stream, state) {
      if (state.inComment) {
        state.inComment = !stream.skipTo(blockComment[1]);
        if (state.inComment) stream.skipToEnd();
        else stream.match(blockComment[1]);
        return "comment";
      }
      if (stream.eatSpace()) return null;
      if (lineComment && stream.match(lineComment)) {
        stream.skipToEnd();
        return "comment";
      }
      if (blockComment && stream.match(blockComment[0])) {
        state.inComment = true;
        return this.token(stream, state) || "comment";
      }
      const quote = stream.peek();
      if (quotes.includes(quote)) {
        stream.next();
        for (let escaped = false, ch = stream.next(); ch; ch = stream.next()) {
          if (ch === quote && !escaped) break;
          escaped = !escaped && ch === "\\";
        }
        return "string";
      }
      if (stream.match(/^\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?/)) return "number";
      if (variable && stream.match(variable)) return "variable-2";
      if (stream.match(word)) {
        const text = fold(stream.current());
        if (words.has(text)) return "keyword";
        return known.has(text) ? "builtin" : "variable";
      }
      stream.next();
      return null;
    },
    languageData: { commentTokens: { line: lineComment, block: blockComment && { open: blockComment[0], close: blockComment[1] } } },
  };
}

export const ada = simpleMode({
  name: "ada",
  caseFold: true,
  lineComment: "--",
  quotes: "\"",
  keywords: ["abort", "abs", "abstract", "accept", "access", "aliased", "all", "and", "array", "at", "begin",
    "body", "case", "constant", "declare", "delay", "delta", "digits", "do", "else", "elsif", "end", "entry",
    "exception", "exit", "for", "function", "generic", "goto", "if", "in", "interface", "is", "limited", "loop",
    "mod", "new", "not", "null", "of", "or", "others", "out", "overriding", "package", "pragma", "private",
    "procedure", "protected", "raise", "range", "record", "rem", "renames", "requeue", "return", "reverse",
    "select", "separate", "some", "subtype", "synchronized", "tagged", "task", "terminate", "then", "type",
    "until", "use", "when", "while", "with", "xor"],
  builtins: ["Integer", "Natural", "Positive", "Float", "Boolean", "Character", "String", "True", "False",
    "Ada", "Text_IO", "Integer_Text_IO", "Put", "Put_Line", "Get", "Get_Line", "New_Line"],
});

export const elixir = simpleMode({
  name: "elixir",
  lineComment: "#",
  variable: /^(@[A-Za-z_]\w*|:[A-Za-z_][\w?!]*)/,
  word: /^[A-Za-z_][\w?!]*/,
  keywords: ["after", "and", "case", "catch", "cond", "def", "defp", "defmodule", "defmacro", "defstruct",
    "defimpl", "defprotocol", "do", "else", "end", "false", "fn", "for", "if", "import", "in", "nil", "not",
    "or", "quote", "raise", "receive", "require", "alias", "rescue", "true", "try", "unless", "unquote", "use",
    "when", "with"],
  builtins: ["IO", "Enum", "String", "List", "Map", "Kernel", "Integer", "Stream", "puts", "gets", "read"],
});

export const prolog = simpleMode({
  name: "prolog",
  lineComment: "%",
  blockComment: ["/*", "*/"],
  variable: /^[A-Z_]\w*/,
  keywords: ["is", "mod", "rem", "div", "not", "true", "fail", "false", "halt", "initialization",
    "dynamic", "discontiguous", "module", "use_module"],
  builtins: ["read", "read_term", "write", "writeln", "format", "nl", "atom_codes", "number_codes",
    "atom_number", "split_string", "length", "append", "member", "sum_list", "maplist", "findall",
    "between", "succ_or_fail", "msort", "sort"],
});

export const awk = simpleMode({
  name: "awk",
  lineComment: "#",
  quotes: "\"",
  variable: /^\$(\d+|[A-Za-z_]\w*|\()?/,
  keywords: ["BEGIN", "END", "if", "else", "while", "for", "do", "break", "continue", "next", "nextfile",
    "exit", "return", "function", "func", "in", "delete", "getline", "print", "printf"],
  builtins: ["NR", "NF", "FS", "OFS", "RS", "ORS", "FNR", "FILENAME", "SUBSEP", "RSTART", "RLENGTH",
    "length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "sin", "cos", "atan2", "exp",
    "log", "sqrt", "int", "rand", "srand", "tolower", "toupper", "system", "close", "fflush"],
});
