// A solution to submit: its size as intake counts it, and its language, from GET /languages
// (`catalog`: every language's name, title, file extensions and time factor).

export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

// A function from a language's name to its title (the name itself when unknown).
export function titlesOf(catalog) {
  const titles = Object.fromEntries(catalog.map((language) => [language.name, language.title]));
  return (name) => titles[name] || name;
}

// A function from a language's name to what the language picker shows: its title, and the
// factor its runs' time limit is multiplied by when that is not 1.
export function pickerLabelsOf(catalog) {
  const title = titlesOf(catalog);
  const factors = Object.fromEntries(catalog.map((language) => [language.name, language.time_factor]));
  return (name) => (factors[name] && factors[name] !== 1 ? `${title(name)} (time limit ×${factors[name]})` : title(name));
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
