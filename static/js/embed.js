// Inside a partner's frame, a link that leaves the visit (a lesson, the site's home page)
// opens in a new tab: in the frame it would lose the visit and be refused by the framing rules.
// Links reversed during the visit carry its pass (/v/<key>/) even when they point elsewhere, and
// only the quiz's and the campaign's own pages answer under it (campaigns/embedding.py,
// PASS_ROUTES): such a link opens without the pass, as the site's own page.
(function () {
  "use strict";
  var prefix = location.pathname.match(/^\/v\/[a-z0-9]{32}\//);
  if (!prefix) return;
  var VISIT_PATHS = /^(attempts|c)\//;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target) return;
    var url = new URL(link.href, location.href);
    var underPass = url.origin === location.origin && url.pathname.indexOf(prefix[0]) === 0;
    var rest = underPass ? url.pathname.slice(prefix[0].length) : "";
    if (underPass && VISIT_PATHS.test(rest)) return;
    if (underPass) link.href = url.origin + "/" + rest + url.search + url.hash;
    link.target = "_blank";
    link.rel = "noopener";
  });
})();
