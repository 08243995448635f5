/* Render the pages' math with the vendored KaTeX (docs/assets/katex/).

   pymdownx.arithmatex (generic mode, mkdocs.yml) leaves each formula in the
   HTML as \( ... \) (inline) or \[ ... \] (display), inside an element of
   class "arithmatex"; this typesets those elements. Material's instant
   navigation is off, so a plain load event is every page's start. */
(function () {
  "use strict";

  function typeset() {
    var blocks = document.querySelectorAll(".arithmatex");
    for (var i = 0; i < blocks.length; i++) {
      renderMathInElement(blocks[i], {
        delimiters: [
          { left: "\\[", right: "\\]", display: true },
          { left: "\\(", right: "\\)", display: false }
        ],
        throwOnError: false
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typeset);
  } else {
    typeset();
  }
})();
