/* Haven: quick exit (button and Esc key), one history entry per visit, search as you type.
   The site works fully without this file; it only makes things faster. No data leaves the site. */
(function () {
  "use strict";

  // -- Quick exit: replace this page (location.replace, so Back does not return to it). --
  function leave() {
    var link = document.querySelector("[data-exit]");
    // data-exit holds the neutral site; href is /exit, the way out without JavaScript.
    var url = (link && link.getAttribute("data-exit")) || "about:blank";
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

  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !typing()) {
      leave();
    }
  });

  document.querySelectorAll("[data-copy], [data-print]").forEach(function (button) {
    button.hidden = false;
  });
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy-sms]").forEach(function (button) {
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

  // -- Search as you type: the server renders the results; we swap them in. --
  var form = document.querySelector("form[data-live]");
  var box = document.getElementById("results");
  if (!form || !box || !window.fetch || !window.URLSearchParams) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("live-status");
  var onResultsPage = window.location.pathname === "/search";
  var timer = null;
  var controller = null;

  function showTyping(typing) {
    box.hidden = !typing && !onResultsPage;
    document.querySelectorAll("[data-hide-when-typing]").forEach(function (el) {
      el.hidden = typing;
    });
  }

  function run() {
    var params = new URLSearchParams(new FormData(form));
    var q = (input.value || "").trim();
    if (!onResultsPage && !q) {
      box.innerHTML = "";
      showTyping(false);
      return;
    }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    params.set("partial", "1");
    fetch("/search?" + params.toString(), {
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        showTyping(true);
        var count = box.querySelector("[data-count]");
        if (status && count) status.textContent = count.textContent;
        if (onResultsPage) {
          params.delete("partial");
          // replaceState, not pushState: typing adds no entries to the Back list.
          window.history.replaceState(null, "", "/search?" + params.toString());
        }
      })
      .catch(function () {
        /* offline or aborted: the form still submits normally */
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 250);
  }

  if (input) input.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target !== input) later();
  });
})();
