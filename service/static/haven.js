/* Haven: quick exit (button, Esc key, Shift three times), one history entry per visit, search as
   you type. The site works fully without this file; it only makes things faster. No data leaves
   the site, and no typed word enters an address: searches are POSTed and swapped into the page. */
(function () {
  "use strict";

  // -- Quick exit: replace this page (location.replace, so Back does not return to it). --
  function leave() {
    var link = document.querySelector("[data-exit]");
    // data-exit holds the neutral site; href is /exit, the way out without JavaScript.
    var url = (link && link.getAttribute("data-exit")) || "about:blank";
    forget();
    document.documentElement.classList.add("leaving");
    if (window.top !== window.self) {
      try {
        window.top.location.replace(url); // the school embed: leave the whole page
        return;
      } catch (e) {
        /* a sandboxed frame may not navigate its parent: at least clear the frame */
      }
    }
    window.location.replace(url);
  }

  // -- The last search, kept in this tab only (sessionStorage, gone with the tab and at quick
  //    exit), so "back to your results" on a resource page can run it again without an address. --
  var LAST = "haven:last";
  var AGAIN = "haven:again";
  function store(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) {
      /* storage off: the way back is the browser's Back button */
    }
  }
  function stored(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }
  function forget() {
    store(LAST, null);
    store(AGAIN, null);
  }

  // -- One history entry per visit: moving inside the site replaces the entry instead of adding
  //    one, so the whole visit is a single entry, and quick exit replaces that one too. --
  function internal(url) {
    return url.origin === window.location.origin && window.top === window.self;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab
    var target = event.target;
    if (!(target instanceof Element)) return;
    var a = target.closest("a[href]");
    if (!a || a.hasAttribute("data-exit") || a.hasAttribute("download")) return;
    if (a.target && a.target !== "_self") return;
    var url = new URL(a.href, window.location.href);
    if (!internal(url)) return;
    var here = window.location;
    if (url.hash && url.pathname === here.pathname && url.search === here.search) return; // same page
    event.preventDefault();
    window.location.replace(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.hasAttribute("data-live") && liveSubmit(event)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
    if (form.target && form.target !== "_self") return;
    var url = new URL(form.action, window.location.href);
    if (!internal(url)) return;
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    url.search = new URLSearchParams(data).toString();
    event.preventDefault();
    window.location.replace(url.href);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest("[data-exit]")) {
      event.preventDefault();
      leave();
      return;
    }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var done = function () {
        copy.textContent = copy.getAttribute("data-copied");
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else if (document.execCommand("copy")) {
        done();
      }
    }
  });

  // Copy a referral from a results card: the text is the body of its sms: link.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    // A KakaoTalk channel known by name: copy the name to paste into the app's search.
    var name = target.closest("[data-copy-text]");
    if (name && navigator.clipboard) {
      navigator.clipboard.writeText(name.getAttribute("data-copy-text")).then(function () {
        name.textContent = name.getAttribute("data-copied");
      }, function () {});
      return;
    }
    var copy = target.closest("[data-copy-sms]");
    if (copy) {
      var link = document.getElementById(copy.getAttribute("data-copy-sms"));
      var body = link ? link.getAttribute("href").split("body=")[1] : null;
      if (body && navigator.clipboard) {
        navigator.clipboard.writeText(decodeURIComponent(body)).then(function () {
          copy.textContent = copy.getAttribute("data-copied");
        }, function () {});
      }
      return;
    }
    if (target.closest("[data-print]")) window.print();
  });

  // Escape exits, except while a text field has the focus: there it may be clearing a typo.
  function typing() {
    var el = document.activeElement;
    if (!el) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
    if (el.tagName !== "INPUT") return false;
    return !/^(button|submit|reset|checkbox|radio|range|color|file|image)$/.test(el.type);
  }

  // Shift pressed three times in a row (within two seconds), anywhere, typing included: the
  // pattern GOV.UK's "Exit this page" uses. A Shift held for a capital or ㅃ is followed by that
  // key, which starts the count again.
  var shifts = 0;
  var lastShift = 0;
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !typing()) {
      leave();
      return;
    }
    if (event.key === "Shift") {
      if (event.repeat) return;
      var now = Date.now();
      shifts = now - lastShift < 2000 ? shifts + 1 : 1;
      lastShift = now;
      if (shifts >= 3) {
        shifts = 0;
        leave();
      }
    } else {
      shifts = 0;
    }
  });

  document.querySelectorAll("[data-copy], [data-print]").forEach(function (button) {
    button.hidden = false;
  });
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy-sms], [data-copy-text]").forEach(function (button) {
      button.hidden = false;
    });
  }

  // -- The school embed tells its parent page how tall it is, so the frame can fit it. --
  // Only a height leaves the frame: {type: "haven:height", height: N}. The one-line script on
  // /for-schools checks the sender's origin and frame, and this shape, before it resizes.
  if (window.parent !== window && document.body && document.body.classList.contains("embed")) {
    var sent = 0;
    var sendHeight = function () {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== sent) {
        sent = height;
        window.parent.postMessage({ type: "haven:height", height: height }, "*");
      }
    };
    sendHeight();
    window.addEventListener("load", sendHeight);
    if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.body);
  }

  // The language switch on a results page: the same search again, in the other language.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.closest("a.lang")) return;
    if (window.location.pathname === "/search" && stored(LAST)) store(AGAIN, "1");
  }, true);

  // -- "Back to your results" on a resource page: the last search, run again on /search. --
  document.querySelectorAll("[data-back-search]").forEach(function (link) {
    if (!stored(LAST)) return;
    link.hidden = false;
    var home = document.querySelector("[data-back-home]");
    if (home) home.hidden = true;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      store(AGAIN, "1");
      window.location.replace(link.getAttribute("href"));
    });
  });

  // -- Search as you type: the server renders the results (a POST: the words stay out of every
  //    address); we swap them in. Pressing Enter or a button of the form does the same. --
  var form = document.querySelector("form[data-live]");
  var box = document.getElementById("results");
  var liveSubmit = function () {
    return false;
  };
  if (!form || !box || !window.fetch || !window.URLSearchParams || !window.FormData) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("live-status");
  var onResultsPage = window.location.pathname === "/search";
  var timer = null;
  var controller = null;

  function showTyping(typing) {
    box.hidden = !typing && !onResultsPage;
    form.classList.toggle("compact", typing || onResultsPage); // the results' first screen
    document.querySelectorAll("[data-hide-when-typing]").forEach(function (el) {
      el.hidden = typing;
    });
  }

  function fields(submitter) {
    var params = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) params.append(submitter.name, submitter.value);
    return params;
  }

  function run(submitter) {
    var params = fields(submitter);
    var q = (input && input.value ? input.value : "").trim();
    if (!onResultsPage && !q && !(submitter && submitter.name)) {
      box.innerHTML = "";
      showTyping(false);
      return;
    }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    params.delete("partial");
    store(LAST, JSON.stringify(Array.from(params.entries())));
    params.set("partial", "1");
    fetch("/search", {
      method: "POST",
      body: params,
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok && response.status !== 503) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        showTyping(true);
        var count = box.querySelector("[data-count]");
        if (status && count) status.textContent = count.textContent;
        if (submitter && submitter.name === "offset") box.scrollIntoView({ block: "start" });
      })
      .catch(function () {
        /* offline or aborted: the form still submits normally */
      });
  }

  liveSubmit = function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    run(event.submitter || { name: "", value: "" });
    return true;
  };

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 250);
  }

  if (input) input.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target !== input) later();
  });

  // Back from a resource page: restore the last search into the form and run it again.
  if (stored(AGAIN) && stored(LAST)) {
    store(AGAIN, null);
    try {
      var pairs = JSON.parse(stored(LAST) || "[]");
      form.querySelectorAll("input[type=checkbox]").forEach(function (el) {
        el.checked = false;
      });
      pairs.forEach(function (pair) {
        var name = pair[0];
        var value = pair[1];
        var el = form.elements.namedItem(name);
        if (!el) return;
        if (el instanceof RadioNodeList) {
          Array.prototype.forEach.call(el, function (one) {
            if (one.type === "checkbox" && one.value === value) one.checked = true;
          });
        } else if (el.type === "checkbox") {
          el.checked = el.value === value;
        } else if (el.type !== "hidden") {
          el.value = value;
        }
      });
      run();
    } catch (e) {
      /* a broken entry: start afresh */
    }
  }
})();
