// Switching language on the report form swaps the contents of <body> with htmx
// (what the pupil typed is kept). <html lang> lies outside the swap, so screen
// readers and spell checkers would go on in the old language: it is copied
// from the swapped page's own language.
document.addEventListener("htmx:afterSettle", function () {
  var page = document.getElementById("page");
  if (page && page.lang) {
    document.documentElement.lang = page.lang;
  }
});
