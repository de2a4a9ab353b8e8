/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  var doc = document;
  var me = doc.currentScript;
  var plotlySrc = me && me.getAttribute("data-plotly");

  /* The archive's filter panel is open in the HTML (so it works without script) and folded
     here on a narrow screen, so the list of series starts on a phone's first screen. */
  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    doc.querySelectorAll(".facets details[open]").forEach(function (d) { d.removeAttribute("open"); });
  }

  /* Today in WIB (Asia/Jakarta): UTC+7 all year, with no daylight saving since 1964, so
     the clock seven hours on from UTC gives the date and weekday there. No Intl time-zone
     lookup: loading its data is the costliest thing this file would do on a slow phone. */
  var wib = new Date(Date.now() + 7 * 3600 * 1000);
  var today = wib.toISOString().slice(0, 10);
  var weekday = (wib.getUTCDay() + 6) % 7;  /* Monday 0 ... Sunday 6 */

  /* Today's program. */
  doc.querySelectorAll('[data-weekday="' + weekday + '"]').forEach(function (li) {
    li.classList.add("today");
    var label = li.querySelector(".day");
    if (label) {
      var tag = doc.createElement("span");
      tag.className = "today-label";
      tag.textContent = "· hari ini";
      label.appendChild(tag);
    }
  });

  /* Upcoming series, decided again in the visitor's browser from the dates on the page
     (in WIB), so a series whose day is over is never shown as upcoming, however long ago
     the site was built. As in the build, a series is upcoming (listed, joinable) through
     the end of its own day and labelled "Hari ini" on it; from the next day its card
     leaves the upcoming lists (a list left empty goes, or says so) and its page drops the
     "Terjadwal" badge and the join links. */
  (function () {
    var dayOf = function (iso) { return iso ? iso.slice(0, 10) : ""; };
    var over = function (iso) { return !!iso && dayOf(iso) < today; };
    var todayLabel = function (iso) {
      var tag = doc.createElement("strong");
      tag.className = "badge today";
      tag.setAttribute("data-today", iso);
      tag.textContent = "Hari ini";
      return tag;
    };
    /* A "Hari ini" label from the build is true on its day only. */
    doc.querySelectorAll("[data-today]").forEach(function (tag) {
      if (dayOf(tag.getAttribute("data-today")) !== today && !tag.hasAttribute("data-upcoming-until")) tag.remove();
    });
    doc.querySelectorAll("[data-upcoming]").forEach(function (section) {
      var cards = section.querySelectorAll(".card");
      var left = cards.length;
      cards.forEach(function (card) {
        var time = card.querySelector("time[datetime]");
        var iso = time && time.getAttribute("datetime");
        if (over(iso)) { card.remove(); left--; }
        else if (dayOf(iso) === today && !card.querySelector("[data-today]")) {
          time.parentNode.insertBefore(todayLabel(dayOf(iso)), time);
          time.parentNode.insertBefore(doc.createTextNode(" "), time);
        }
      });
      if (cards.length && !left) {
        var empty = section.getAttribute("data-upcoming-empty");
        var list = section.querySelector(".cards");
        if (empty && list) {
          var note = doc.createElement("p");
          note.textContent = empty;
          list.replaceWith(note);
        } else section.remove();
      }
    });
    doc.querySelectorAll("[data-upcoming-until]").forEach(function (badge) {
      var iso = badge.getAttribute("data-upcoming-until");
      if (over(iso)) badge.remove();
      else if (dayOf(iso) === today && !badge.hasAttribute("data-today")) {
        badge.setAttribute("data-today", dayOf(iso));
        badge.classList.add("today");
        badge.textContent = "Hari ini";
      }
    });
    /* Dated sessions (home, /jadwal/, program pages), decided again from their dates with
       the build's rules: a day before today is over ("Sudah berlangsung", no join links);
       a "next" list drops what is over and shows its first few; the weeks list shows the
       week holding today and the next one; the first session still to come that is held
       (not cancelled, postponed or moved away) is marked as the next. */
    var addDays = function (iso, n) {
      var d = new Date(iso + "T00:00:00Z");
      d.setUTCDate(d.getUTCDate() + n);
      return d.toISOString().slice(0, 10);
    };
    var thisMonday = addDays(today, -weekday);
    var nextMonday = addDays(thisMonday, 7);
    var afterNext = addDays(thisMonday, 14);
    var markPast = function (item) {
      if (item.classList.contains("is-past")) return;
      item.classList.add("is-past");
      if (!item.querySelector(".session-done")) {
        var done = doc.createElement("p");
        done.className = "session-done";
        done.textContent = "Sudah berlangsung";
        item.appendChild(done);
      }
    };
    doc.querySelectorAll("[data-sessions]").forEach(function (list) {
      var items = Array.prototype.slice.call(list.querySelectorAll("[data-session]"));
      var mode = list.getAttribute("data-sessions");
      var next = null;
      items.forEach(function (item) { item.classList.remove("is-next"); });
      if (mode === "weeks") {
        list.querySelectorAll("[data-week]").forEach(function (head) {
          var start = head.getAttribute("data-week");
          var h = head.querySelector("h3");
          head.hidden = !(start === thisMonday || start === nextMonday);
          if (h) h.textContent = start === thisMonday ? "Pekan ini" : start === nextMonday ? "Pekan depan" : "Pekan berikutnya";
        });
        items.forEach(function (item) {
          var d = item.getAttribute("data-date");
          item.hidden = !(d >= thisMonday && d < afterNext);
          if (d < today) markPast(item);
          else if (!next && item.hasAttribute("data-happens")) next = item;
        });
      } else {
        /* The first few, and the next one held even when it comes after them. */
        var show = parseInt(list.getAttribute("data-show") || "3", 10);
        var left = 0;
        items.forEach(function (item) {
          if (item.getAttribute("data-date") < today) { item.remove(); return; }
          if (!next && item.hasAttribute("data-happens")) next = item;
          item.hidden = left >= show && item !== next;
          left++;
        });
        if (!left && list.hasAttribute("data-sessions-empty") && !list.nextElementSibling) {
          var note = doc.createElement("p");
          note.className = "note";
          note.textContent = list.getAttribute("data-sessions-empty");
          list.after(note);
        }
      }
      if (next && !next.hidden) next.classList.add("is-next");
      items.forEach(function (item) {
        var d = item.getAttribute("data-date");
        var when = item.querySelector(".session-when");
        if (d === today && when && !when.querySelector("[data-today]")) {
          when.insertBefore(doc.createTextNode(" "), when.firstChild);
          when.insertBefore(todayLabel(d), when.firstChild);
        }
      });
    });

    /* A series' join and watch links stay through its own day (joining is what that day is
       for) and go after it, so a page not rebuilt for weeks offers no dead links. */
    doc.querySelectorAll("[data-join-until]").forEach(function (box) {
      if (over(box.getAttribute("data-join-until"))) box.remove();
    });
  })();

  /* Video: nothing from the video host loads until the visitor asks for it. */
  function youtubeId(href) {
    var u;
    try { u = new URL(href); } catch (e) { return null; }
    var host = u.hostname.replace(/^(www|m)\./, "");
    var id = null;
    if (host === "youtu.be") id = u.pathname.slice(1);
    else if (host === "youtube.com" || host === "youtube-nocookie.com") {
      if (u.pathname === "/watch") id = u.searchParams.get("v");
      else {
        var m = u.pathname.match(/^\/(embed|shorts|live)\/([^/?#]+)/);
        if (m) id = m[2];
      }
    }
    return id && /^[A-Za-z0-9_-]{11}$/.test(id) ? id : null;
  }
  doc.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-video]");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var id = youtubeId(a.href);
    if (!id) return; /* another host: an ordinary link */
    ev.preventDefault();
    var frame = doc.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1&rel=0";
    frame.title = a.getAttribute("data-title") || "Video";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var box = a.closest(".video-box") || a.parentNode;
    box.replaceChildren(frame);
    frame.focus();
  });

  /* Charts: the table and the quick bars are there from the start. plotly.js (the basic
     bundle, still large for a phone) is fetched only when a chart comes near the viewport
     after the visitor scrolls, or when they tap a chart's button. With Save-Data on or a 2G
     connection, only the button loads it. Never on a touch elsewhere on the page. */
  var figures = Array.prototype.slice.call(doc.querySelectorAll("figure[data-chart]"));
  var loading = null;
  var conn = navigator.connection || navigator.mozConnection || navigator.webkitConnection;
  var frugal = !!(conn && (conn.saveData || /(^|-)2g$/.test(conn.effectiveType || "")));
  function loadPlotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (window.Plotly) return resolve(window.Plotly);
        var s = doc.createElement("script");
        s.src = plotlySrc;
        s.async = true;
        s.onload = function () { window.Plotly ? resolve(window.Plotly) : reject(new Error("no Plotly")); };
        s.onerror = function () { loading = null; s.remove(); reject(new Error("plotly.js tidak termuat")); };
        doc.head.appendChild(s);
      });
    }
    return loading;
  }
  function theme(layout, fig) {
    var css = getComputedStyle(fig);
    var fg = css.color;
    var grid = css.getPropertyValue("--border").trim() || "#ccc";
    layout.font = Object.assign({}, layout.font, { color: fg });
    ["xaxis", "yaxis"].forEach(function (k) {
      layout[k] = Object.assign({}, layout[k], { gridcolor: grid, linecolor: grid, zerolinecolor: grid });
    });
    return layout;
  }
  function say(fig, text) {
    var status = fig.querySelector(".chart-status");
    if (status) status.textContent = text;
  }
  function draw(fig) {
    if (fig.getAttribute("data-state")) return fig.drawing;
    fig.setAttribute("data-state", "loading");
    var button = fig.querySelector(".chart-load button");
    /* The bar under the chart keeps its height (its button's, one or two lines) through
       "loading" and after: a chart starts drawing as the visitor scrolls to it, and the
       download buttons below must not move under a finger already on its way. */
    var bar = fig.querySelector(".chart-load");
    if (bar) bar.style.minHeight = bar.getBoundingClientRect().height + "px";
    if (button) button.hidden = true;
    say(fig, "Memuat grafik interaktif…");
    fig.drawing = loadPlotly().then(function (Plotly) {
      var spec = JSON.parse(doc.getElementById(fig.getAttribute("data-chart")).textContent);
      var canvas = fig.querySelector(".chart-canvas");
      var box = doc.createElement("div");
      box.className = "plot";
      canvas.replaceChildren(box);
      fig.classList.add("is-drawn");
      return Plotly.newPlot(box, spec.data, theme(spec.layout, fig), spec.config).then(function () {
        fig.setAttribute("data-state", "drawn");
        say(fig, "");
      });
    }).catch(function () {
      fig.removeAttribute("data-state");
      say(fig, "Grafik interaktif gagal dimuat. Batang ringkas dan tabel tetap memuat semua angkanya.");
      if (button) { button.textContent = "Coba muat lagi"; button.hidden = false; }
      return false;
    });
    return fig.drawing;
  }
  /* Save a chart as an image, drawn here by plotly.js (no server, works offline). */
  function save(fig, format) {
    draw(fig).then(function (ok) {
      if (ok === false) return;  /* not drawn: the status line says why */
      return window.Plotly.downloadImage(fig.querySelector(".plot"), { format: format, filename: fig.getAttribute("data-file") || "grafik" });
    }).catch(function () { say(fig, "Gambar grafik gagal dibuat."); });
  }
  function drawAll() { figures.forEach(draw); }
  if (figures.length && plotlySrc) {
    figures.forEach(function (fig) {
      var bar = doc.createElement("div");
      bar.className = "chart-load";
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "button secondary";
      button.textContent = "Tampilkan grafik interaktif";
      button.addEventListener("click", drawAll);
      var status = doc.createElement("p");
      status.className = "chart-status";
      status.setAttribute("role", "status");
      if (frugal) status.textContent = "Mode hemat data: grafik interaktif baru diunduh bila Anda memintanya.";
      bar.append(button, status);
      fig.querySelector(".chart-canvas").after(bar);
      var links = fig.querySelector(".chart-links");
      if (links) {
        ["png", "svg"].forEach(function (format) {
          var b = doc.createElement("button");
          b.type = "button";
          b.className = "button secondary small";
          b.textContent = "Unduh " + format.toUpperCase();
          b.addEventListener("click", function () { save(fig, format); });
          links.append(" ", b);
        });
      }
    });
    if (!frugal) {
      /* Watching starts with the first scroll: a chart already on screen at load shows its
         quick bars and its button, and the page stays light until the visitor moves. */
      var watch = function () {
        window.removeEventListener("scroll", watch);
        if (!("IntersectionObserver" in window)) return drawAll();
        var io = new IntersectionObserver(function (entries) {
          entries.forEach(function (en) {
            if (en.isIntersecting) { io.unobserve(en.target); draw(en.target); }
          });
        }, { rootMargin: "400px 0px" });
        figures.forEach(function (f) { io.observe(f); });
      };
      window.addEventListener("scroll", watch, { passive: true });
    }
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      var retheme = function () {
        figures.forEach(function (fig) {
          var box = fig.querySelector(".plot");
          if (box && window.Plotly && fig.getAttribute("data-state") === "drawn") {
            window.Plotly.relayout(box, theme({ font: box.layout.font, xaxis: box.layout.xaxis, yaxis: box.layout.yaxis }, fig));
          }
        });
      };
      if (mq.addEventListener) mq.addEventListener("change", retheme);
    }
  }

  /* Copy a field's text (the calendar address on /jadwal/): the button is made here, since
     it does nothing without script. */
  doc.querySelectorAll("input[data-copy]").forEach(function (field) {
    var holder = field.closest(".copy-field");
    var status = holder && holder.querySelector(".copy-status");
    var button = doc.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = field.getAttribute("data-copy");
    field.after(button);
    button.addEventListener("click", function () {
      var done = function () { if (status) status.textContent = "Alamat disalin. Tempelkan di aplikasi kalender Anda."; };
      var manual = function () {
        field.focus();
        field.select();
        if (status) status.textContent = "Alamat sudah dipilih: tekan lama lalu pilih Salin (di komputer: Ctrl+C).";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, manual);
      } else {
        manual();
      }
    });
    field.addEventListener("focus", function () { field.select(); });
  });

  /* Search (Pagefind), from the site's own pagefind/ folder. */
  var search = doc.getElementById("cari");
  if (search) {
    var base = search.getAttribute("data-pagefind");
    var status = doc.querySelector("[data-search-status]");
    var fail = function () {
      if (status) {
        status.hidden = false;
        status.textContent = "Indeks pencarian belum tersedia di salinan situs ini. Silakan telusuri arsip seri.";
      }
    };
    var css = doc.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "pagefind-ui.css";
    doc.head.appendChild(css);
    var s = doc.createElement("script");
    s.src = base + "pagefind-ui.js";
    s.onerror = fail;
    s.onload = function () {
      if (!window.PagefindUI) return fail();
      var ui = new window.PagefindUI({
        element: "#cari",
        bundlePath: base,
        mergeIndex: (search.getAttribute("data-merge") || "").split(" ").filter(Boolean).map(function (b) { return { bundlePath: b }; }),
        baseUrl: search.getAttribute("data-base"),
        showImages: false,
        showSubResults: false,
        resetStyles: true,
        translations: {
          placeholder: "Cari judul, topik, atau narasumber",
          clear_search: "Hapus",
          load_more: "Tampilkan lebih banyak",
          search_label: "Cari seri",
          filters_label: "Saring",
          zero_results: "Tidak ada seri yang cocok dengan [SEARCH_TERM]",
          many_results: "[COUNT] seri cocok dengan [SEARCH_TERM]",
          one_result: "1 seri cocok dengan [SEARCH_TERM]",
          alt_search: "Tidak ada hasil untuk [SEARCH_TERM]. Menampilkan hasil untuk [DIFFERENT_TERM]",
          search_suggestion: "Tidak ada hasil untuk [SEARCH_TERM]. Coba kata lain:",
          searching: "Mencari [SEARCH_TERM]…"
        }
      });
      var input = search.querySelector("input");
      if (input) input.setAttribute("aria-label", "Cari seri: judul, topik, atau narasumber");
      /* Filter options without a match are hidden (unless ticked, so they can be unticked);
         when nothing matches, the hint below the results says what to try next. */
      var empty = doc.querySelector("[data-search-empty]");
      var tidy = function () {
        Array.prototype.forEach.call(search.querySelectorAll(".pagefind-ui__filter-value"), function (v) {
          var label = v.querySelector("label"), box = v.querySelector("input");
          var none = !!label && /\(0\)\s*$/.test(label.textContent) && !(box && box.checked);
          if (v.hidden !== none) v.hidden = none;
        });
        var msg = search.querySelector(".pagefind-ui__message");
        var nothing = !!msg && /^Tidak ada/.test(msg.textContent.trim()) && !search.querySelector(".pagefind-ui__result");
        if (empty && empty.hidden === nothing) empty.hidden = !nothing;
      };
      if (window.MutationObserver) new MutationObserver(tidy).observe(search, { subtree: true, childList: true, characterData: true });
      var q = new URLSearchParams(location.search).get("q");
      if (q && ui.triggerSearch) ui.triggerSearch(q);
    };
    doc.head.appendChild(s);
  }
})();
