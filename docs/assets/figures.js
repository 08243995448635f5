/* Click a figure to see it full size (minigrad's own few lines, no library).

   Every figure on the site is an image inside a link to the image file
   (`[![...](plot.png)](plot.png)` in the Markdown), so without JavaScript a
   click opens the file itself. With it, the click opens the image over the
   page instead: fitted to the window on a wide screen, at its natural size
   (scroll to pan) on a narrow one. A click on the image switches between the
   two; a click beside it, or Escape, closes it. */
(function () {
  "use strict";

  var overlay = null;

  function close() {
    if (overlay) {
      overlay.remove();
      overlay = null;
      document.body.classList.remove("mg-zoom-open");
    }
  }

  function open(href, alt) {
    close();
    overlay = document.createElement("div");
    overlay.className = "mg-zoom";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", "Figure, full size (Escape closes)");
    var img = document.createElement("img");
    img.src = href;
    img.alt = alt || "";
    if (window.innerWidth < 800) {
      overlay.classList.add("mg-zoom-natural");
    }
    img.addEventListener("click", function (event) {
      event.stopPropagation();
      overlay.classList.toggle("mg-zoom-natural");
    });
    overlay.addEventListener("click", close);
    overlay.appendChild(img);
    document.body.appendChild(overlay);
    document.body.classList.add("mg-zoom-open");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".md-typeset a.mg-figure");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return; // a modified click opens the file, as a browser does
    }
    event.preventDefault();
    var img = link.querySelector("img");
    open(link.getAttribute("href"), img ? img.alt : "");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      close();
    }
  });
})();
