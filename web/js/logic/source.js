// A solution to submit: its size as intake counts it, and its language, from GET /languages
// (`catalog`: every language's name, title and file extensions).

export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

// A function from a language's name to its title (the name itself when unknown).
export function titlesOf(catalog) {
  const titles = Object.fromEntries(catalog.map((language) => [language.name, language.title]));
  return (name) => titles[name] || name;
}

// File extension (no dot) → language name.
export function extensionsOf(catalog) {
  return Object.fromEntries(catalog.flatMap((language) =>
    language.extensions.map((extension) => [extension, language.name])));
}

// The language an uploaded file is in, by its extension, when it is one of `offered`; else null.
export function languageOfFile(fileName, extensions, offered) {
  const language = extensions[fileName.split(".").pop().toLowerCase()];
  return language && offered.includes(language) ? language : null;
}
