// Progressive enhancement only: every page works without this file.
// Shows the price fields that belong to the chosen price basis (fixed or index-linked).
(function () {
  var basis = document.getElementById("price_basis");
  if (!basis) return;
  function update() {
    document.querySelectorAll("[data-basis]").forEach(function (group) {
      group.hidden = group.getAttribute("data-basis") !== basis.value;
    });
  }
  basis.addEventListener("change", update);
  update();
})();
