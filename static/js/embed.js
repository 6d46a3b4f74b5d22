// Inside a partner's frame, a link that leaves the visit (a lesson, the site's home page)
// opens in a new tab: in the frame it would lose the visit and be refused by the framing rules.
(function () {
  "use strict";
  var prefix = location.pathname.match(/^\/v\/[a-z0-9]{32}\//);
  if (!prefix) return;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target) return;
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.indexOf(prefix[0]) !== 0) {
      link.target = "_blank";
      link.rel = "noopener";
    }
  });
})();
