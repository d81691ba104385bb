// Optional: lights up a finding's causes in the picture on hover, and
// keeps them lit after following its links (or a link to the finding).
// The page reads the same without it: the links jump to the places, which
// the style marks.
(function () {
  "use strict";
  var bar = document.getElementById("selected");
  var chosen = null;

  function light(card, on) {
    (card.getAttribute("data-hl") || "").split(" ").forEach(function (id) {
      var el = id ? document.getElementById(id) : null;
      if (el) {
        el.classList.toggle("hl", on);
      }
    });
    card.classList.toggle("hl", on);
    document.body.classList.toggle("focus", on);
  }

  function choose(card) {
    if (chosen) {
      light(chosen, false);
    }
    chosen = card;
    light(card, true);
    var causes = [];
    card.querySelectorAll(".chips .chip").forEach(function (c) {
      causes.push(c.textContent);
    });
    bar.querySelector(".what").textContent = card.querySelector(".rule").textContent + " " +
      card.querySelector(".subject").textContent + " (" + causes.join(", ") + ")";
    bar.querySelector(".back").setAttribute("href", "#" + card.id);
    bar.hidden = false;
  }

  document.querySelectorAll(".finding[data-hl]").forEach(function (card) {
    card.addEventListener("mouseenter", function () {
      if (!chosen) {
        light(card, true);
      }
    });
    card.addEventListener("mouseleave", function () {
      if (!chosen) {
        light(card, false);
      }
    });
    card.querySelectorAll("a.chip, a.locate").forEach(function (a) {
      a.addEventListener("click", function () {
        choose(card);
      });
    });
  });

  // A link to a finding ("#f-…", from the picture or from elsewhere)
  // selects it, so that its causes stay lit.
  function fromHash() {
    var id = "";
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return;
    }
    var card = id ? document.getElementById(id) : null;
    if (card) {
      if (card.classList.contains("finding")) {
        choose(card);
      }
    }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  bar.querySelector(".clear").addEventListener("click", function () {
    if (chosen) {
      light(chosen, false);
    }
    chosen = null;
    bar.hidden = true;
  });
})();
