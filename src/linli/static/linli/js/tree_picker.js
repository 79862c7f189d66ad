// The jurisdiction picker (linli.registry.picker): search by name or code, or browse down the
// tree and back up, in pages the server bounds; the hidden <select> carries the chosen node.
(function () {
  "use strict";

  function setup(root) {
    const select = root.querySelector("select");
    const ui = root.querySelector(".tree-picker-ui");
    const search = ui.querySelector(".tree-picker-search");
    const panel = ui.querySelector(".tree-picker-panel");
    const up = ui.querySelector(".tree-picker-up");
    const results = ui.querySelector(".tree-picker-results");
    const chosen = ui.querySelector(".tree-picker-chosen");
    const more = ui.querySelector(".tree-picker-more");
    const none = ui.querySelector(".tree-picker-none");
    const levels = root.dataset.levels;
    const parents = []; // the nodes browsed into, to go back up
    let asked = 0;
    let pause;

    select.hidden = true;
    ui.hidden = false;
    showChosen();

    function showChosen() {
      const option = select.options[select.selectedIndex];
      chosen.textContent = option && option.value ? "✓ " + option.text : "";
    }

    function open(isOpen) {
      panel.hidden = !isOpen;
      search.setAttribute("aria-expanded", String(isOpen));
    }

    function choose(node) {
      select.innerHTML = "";
      select.add(new Option(node.trail ? node.trail + " › " + node.name : node.name, node.id, true, true));
      select.dispatchEvent(new Event("change", { bubbles: true }));
      showChosen();
      search.value = "";
      parents.length = 0;
      open(false);
    }

    function button(text, className, label, action) {
      const element = document.createElement("button");
      element.type = "button";
      element.className = className;
      element.textContent = text;
      element.setAttribute("aria-label", label);
      element.addEventListener("click", action);
      return element;
    }

    function row(node) {
      const item = document.createElement("li");
      item.className = "list-group-item d-flex align-items-center gap-2 py-1";
      item.setAttribute("role", "option");
      const label = document.createElement("span");
      label.className = "flex-fill";
      const name = document.createElement("strong");
      name.textContent = node.name;
      label.append(document.createTextNode(node.trail ? node.trail + " › " : ""), name,
        document.createTextNode(" · " + node.level_label));
      item.append(label);
      if (node.selectable) {
        item.append(button(root.dataset.chooseLabel, "btn btn-sm btn-primary tree-picker-choose",
          root.dataset.chooseLabel + " " + node.name, () => choose(node)));
      }
      if (node.has_children) {
        item.append(button("›", "btn btn-sm btn-outline-secondary tree-picker-open",
          root.dataset.openLabel + " " + node.name, () => { parents.push(node.id); ask({ parent: node.id }); }));
      }
      return item;
    }

    async function ask(params) {
      const ticket = ++asked;
      const query = new URLSearchParams({ levels: levels, ...params });
      const response = await fetch(root.dataset.url + "?" + query, { headers: { Accept: "application/json" } });
      if (!response.ok || ticket !== asked) return; // a later question has been asked
      const answer = await response.json();
      results.replaceChildren(...answer.results.map(row));
      more.hidden = !answer.more;
      none.hidden = answer.results.length > 0;
      up.hidden = !("parent" in params);
      open(true);
    }

    function askTyped() {
      const typed = search.value.trim();
      parents.length = 0;
      ask(typed ? { q: typed } : {});
    }

    search.addEventListener("focus", () => { if (panel.hidden) askTyped(); });
    search.addEventListener("input", () => { clearTimeout(pause); pause = setTimeout(askTyped, 200); });
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter searches; it does not submit a half-filled form
        clearTimeout(pause);
        askTyped();
      } else if (event.key === "Escape") {
        open(false);
      }
    });
    up.addEventListener("click", () => {
      parents.pop();
      ask(parents.length ? { parent: parents[parents.length - 1] } : {});
    });
    document.addEventListener("click", (event) => { if (!root.contains(event.target)) open(false); });
  }

  document.querySelectorAll("[data-tree-picker]").forEach(setup);
})();
