// The what-if workbench, on pages served by faultline serve: clicking a
// component in the picture (or Enter/Space on it) adds it to the
// selection, the address keeps it (?fail=a,b, for a change ticket), and
// the answer comes from GET /api/v1/whatif — the same answer as the CLI's
// whatif. "Plan these" asks GET /api/v1/plan. Without this script the
// form still works: the server renders the answer for ?fail=.
(function () {
  "use strict";
  var box = document.getElementById("whatif");
  if (!box || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var form = box.querySelector("form");
  var input = document.getElementById("wi-fail");
  var out = document.getElementById("wi-result");
  var planOut = document.getElementById("wi-planout");
  var planBtn = document.getElementById("wi-plan");
  var base = form.getAttribute("action") || location.pathname;
  var api = base.replace(/report$/, "api/v1/");
  var marks = document.getElementById("wi-marks");
  var asked = 0;
  var planJSON = document.getElementById("wi-planjson");
  if (planJSON) {
    planJSON.hidden = true;
  }
  planBtn.hidden = false;

  // Element id -> inventory id (the inverse of picture.ComponentID).
  function idOf(el) {
    var m = /^[cn]-(.*)$/.exec(el.id || "");
    if (!m) {
      return "";
    }
    try {
      return decodeURIComponent(m[1].replace(/!([0-9a-f]{2})/g, "%$1"));
    } catch (e) {
      return "";
    }
  }

  function selection() {
    var seen = {};
    return input.value.split(",").map(function (s) {
      return s.trim();
    }).filter(function (s) {
      if (!s || seen[s]) {
        return false;
      }
      seen[s] = true;
      return true;
    });
  }

  // Inventory id -> its elements in the picture, built once.
  var places = {};
  document.querySelectorAll(".pic [id]").forEach(function (e) {
    var id = idOf(e);
    if (id) {
      (places[id] = places[id] || []).push(e);
    }
  });

  function elementsOf(id) {
    return Object.prototype.hasOwnProperty.call(places, id) ? places[id] : [];
  }

  function clearClass(cls) {
    document.querySelectorAll(".pic ." + cls).forEach(function (el) {
      el.classList.remove(cls);
    });
  }

  function mark(cls, ids) {
    clearClass(cls);
    ids.forEach(function (id) {
      elementsOf(id).forEach(function (el) {
        el.classList.add(cls);
      });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function list(title, cls, name, xs) {
    var d = el("div");
    var h = el("h4", cls, title + " ");
    h.appendChild(el("span", "n", String(xs.length)));
    d.appendChild(h);
    var ul = el("ul", "wi-list");
    ul.setAttribute("data-list", name);
    xs.forEach(function (x) {
      var li = el("li");
      li.setAttribute("data-kind", x.kind);
      li.setAttribute("data-id", x.id);
      li.appendChild(el("span", "kind", x.kind));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("code", "", x.id));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "why", x.why));
      ul.appendChild(li);
    });
    if (!xs.length) {
      ul.appendChild(el("li", "none", "Nothing."));
    }
    d.appendChild(ul);
    return d;
  }

  function render(w) {
    out.textContent = "";
    var h = el("h3", "wi-head", "What if ");
    var ids = el("span", "wi-failed-ids");
    w.failed.forEach(function (id, i) {
      if (i) {
        ids.appendChild(document.createTextNode(", "));
      }
      ids.appendChild(el("code", "", id));
    });
    h.appendChild(ids);
    h.appendChild(document.createTextNode(" fail?"));
    out.appendChild(h);
    var down = w.down || [], deg = w.degraded || [], over = w.overloaded || [];
    var services = down.filter(function (x) {
      return x.kind === "service";
    }).length;
    out.appendChild(el("p", "wi-sum", services + " service(s) down · " + down.length + " down in all · " +
      deg.length + " lose redundancy · " + over.length + " overloaded"));
    var cols = el("div", "wi-cols");
    cols.appendChild(list("Goes down", "wi-down", "down", down));
    cols.appendChild(list("Loses redundancy", "wi-degraded", "degraded", deg));
    cols.appendChild(list("Overloaded", "wi-over", "overloaded", over));
    out.appendChild(cols);
    mark("wi-down", down.map(function (x) {
      return x.id;
    }));
    mark("wi-over", over.map(function (x) {
      return x.id;
    }));
  }

  function fail(target, msg) {
    target.textContent = "";
    target.appendChild(el("p", "wi-error", msg));
  }

  function get(path, done, target) {
    var n = ++asked;
    fetch(api + path, {headers: {"Accept": "application/json"}}).then(function (r) {
      return r.json().then(function (body) {
        return {ok: r.ok, body: body};
      });
    }).then(function (res) {
      if (n !== asked) {
        return; // a newer question was asked meanwhile
      }
      if (!res.ok) {
        fail(target, res.body && res.body.error ? res.body.error : "the server did not answer");
        return;
      }
      done(res.body);
    }).catch(function () {
      if (n === asked) {
        fail(target, "the server cannot be reached: the answer is not current");
      }
    });
  }

  function update(push) {
    var ids = selection();
    mark("wi-failed", ids);
    document.querySelectorAll(".pic .wi-pick").forEach(function (e) {
      e.setAttribute("aria-pressed", ids.indexOf(idOf(e)) >= 0 ? "true" : "false");
    });
    planBtn.disabled = ids.length === 0;
    planOut.textContent = "";
    var url = new URL(location.href);
    if (ids.length) {
      url.search = "?fail=" + ids.map(encodeURIComponent).join(",");
    } else {
      url.search = "";
    }
    if (push && url.href !== location.href) {
      history.replaceState(null, "", url.href);
    }
    if (marks) {
      marks.remove(); // the server's marks were for the first question
      marks = null;
    }
    if (!ids.length) {
      out.textContent = "";
      clearClass("wi-down");
      clearClass("wi-over");
      return;
    }
    get("whatif?fail=" + ids.map(encodeURIComponent).join(","), render, out);
  }

  function toggle(id) {
    var ids = selection();
    var i = ids.indexOf(id);
    if (i >= 0) {
      ids.splice(i, 1);
    } else {
      ids.push(id);
    }
    input.value = ids.join(",");
    update(true);
  }

  // Components in the picture become buttons.
  document.querySelectorAll(".pic g[id], .pic rect[id]").forEach(function (e) {
    var id = idOf(e);
    if (!id) {
      return;
    }
    e.classList.add("wi-pick");
    e.setAttribute("tabindex", "0");
    e.setAttribute("role", "button");
    e.setAttribute("aria-pressed", "false");
    e.setAttribute("aria-label", "fail " + id);
    e.addEventListener("click", function (ev) {
      ev.preventDefault();
      ev.stopPropagation();
      toggle(id);
    });
    e.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " " || ev.key === "Spacebar") {
        ev.preventDefault();
        ev.stopPropagation();
        toggle(id);
      }
    });
  });
  // Their links to findings stay for the findings' own links; from the
  // picture, a click selects.
  document.querySelectorAll(".pic .wi-pick a").forEach(function (a) {
    a.setAttribute("tabindex", "-1");
  });

  // Completion of the id being typed after a comma: the datalist offers
  // the whole value (what is written so far, and each matching id), at
  // most 50 at a time.
  var datalist = document.getElementById("wi-ids");
  var allIDs = datalist ? Array.prototype.map.call(datalist.options, function (o) {
    return o.value;
  }) : [];
  input.addEventListener("input", function () {
    if (!datalist) {
      return;
    }
    var v = input.value, cut = v.lastIndexOf(",") + 1;
    var head = v.slice(0, cut), tail = v.slice(cut).trim();
    var taken = selection();
    datalist.textContent = "";
    var n = 0;
    for (var i = 0; i < allIDs.length && n < 50; i++) {
      if (allIDs[i].indexOf(tail) >= 0 && taken.indexOf(allIDs[i]) < 0) {
        var o = document.createElement("option");
        o.value = head + allIDs[i];
        datalist.appendChild(o);
        n++;
      }
    }
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    update(true);
  });

  function md(s) {
    return String(s).replace(/([\\`*_{}\[\]()#+!|<>])/g, "\\$1");
  }

  function renderPlan(p) {
    planOut.textContent = "";
    var d = el("div", "wi-plan");
    d.appendChild(el("h3", "wi-head", "Plan: " + p.batches.length + " batch(es), at least " + p.lower_bound + " needed" +
      (p.blocked && p.blocked.length ? "; " + p.blocked.length + " blocked" : "")));
    var lines = ["## Maintenance plan: " + p.maintain.map(function (s) {
      return "`" + s + "`";
    }).join(", "), ""];
    var ol = el("ol", "batches");
    ol.setAttribute("data-list", "batches");
    (p.batches || []).forEach(function (b, i) {
      var li = el("li");
      li.setAttribute("data-components", b.components.join(","));
      li.appendChild(el("code", "", b.components.join(", ")));
      lines.push((i + 1) + ". " + b.components.map(function (c) {
        return "`" + c + "`";
      }).join(", "));
      (b.degraded || []).forEach(function (x) {
        li.appendChild(el("div", "why", x.kind + " " + x.id + ": " + x.why));
        lines.push("   - " + x.kind + " `" + x.id + "`: " + md(x.why));
      });
      (b.peak_load || []).forEach(function (x) {
        li.appendChild(el("div", "why", x.id + " peaks at " + Math.round(x.watts) + " W of " + Math.round(x.capacity_w) + " W"));
        lines.push("   - `" + x.id + "` peaks at " + Math.round(x.watts) + " W of " + Math.round(x.capacity_w) + " W");
      });
      ol.appendChild(li);
    });
    d.appendChild(ol);
    if (p.blocked && p.blocked.length) {
      d.appendChild(el("h4", "wi-down", "Blocked"));
      lines.push("", "### Blocked", "");
      var ul = el("ul", "blocked wi-list");
      ul.setAttribute("data-list", "blocked");
      p.blocked.forEach(function (b) {
        var li = el("li");
        li.setAttribute("data-id", b.component);
        var why = (b.down || []).map(function (x) {
          return x.kind + " " + x.id + ": " + x.why;
        }).concat((b.overloaded || []).map(function (x) {
          return x.kind + " " + x.id + ": " + x.why;
        }));
        li.appendChild(el("code", "", b.component));
        li.appendChild(document.createTextNode(" — " + why.join("; ")));
        var fix = b.fix_first && b.fix_first.length ? " Fix first: " + b.fix_first.join(", ") + "." : "";
        if (fix) {
          li.appendChild(el("div", "why", fix.trim()));
        }
        lines.push("- `" + b.component + "` — " + md(why.join("; ")) + md(fix));
        ul.appendChild(li);
      });
      d.appendChild(ul);
    }
    lines.push("", "Lower bound: " + p.lower_bound + " batch(es).");
    var text = lines.join("\n") + "\n";
    var copy = el("button", "wi-copy", "Copy as Markdown");
    copy.type = "button";
    var ta = el("textarea");
    ta.readOnly = true;
    ta.value = text;
    ta.setAttribute("aria-label", "the plan as Markdown");
    copy.addEventListener("click", function () {
      ta.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () {
          copy.textContent = "Copied";
        }, function () {
          copy.textContent = "Select and copy the text below";
        });
      } else {
        copy.textContent = "Select and copy the text below";
      }
    });
    d.appendChild(copy);
    d.appendChild(ta);
    planOut.appendChild(d);
  }

  planBtn.addEventListener("click", function () {
    var ids = selection();
    if (ids.length) {
      get("plan?maintain=" + ids.map(encodeURIComponent).join(","), renderPlan, planOut);
    }
  });

  update(false);
})();
