// Site-wide behaviour. No inline handlers: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", () => {
  const language = document.getElementById("language-select");
  if (language) {
    language.addEventListener("change", () => language.form.submit());
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
