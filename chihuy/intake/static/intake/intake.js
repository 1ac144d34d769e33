// Logbook entry by keyboard (issue 3 §2): place autocomplete with arrows + Enter, Ctrl+Enter saves.
// A file, not inline script, so the Content-Security-Policy needs no exception; no eval.
(function () {
  "use strict";

  function comboOf(el) { return el.closest(".intake-combo"); }
  function listOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function hiddenOf(input) { return comboOf(input).querySelector("[data-intake-jurisdiction]"); }
  function optionsOf(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
  }

  function setOpen(input, open) {
    var list = listOf(input);
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) input.removeAttribute("aria-activedescendant");
  }

  function activeIndex(input) {
    var id = input.getAttribute("aria-activedescendant");
    return optionsOf(listOf(input)).findIndex(function (o) { return o.id === id; });
  }

  function setActive(input, index) {
    var options = optionsOf(listOf(input));
    if (!options.length) return;
    index = (index + options.length) % options.length;
    options.forEach(function (o, i) {
      o.setAttribute("aria-selected", i === index ? "true" : "false");
      o.classList.toggle("intake-active", i === index);
    });
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function pick(input, option) {
    input.value = option.getAttribute("data-label");
    var hidden = hiddenOf(input);
    hidden.value = option.getAttribute("data-id");
    setOpen(input, false);
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
    document.body.dispatchEvent(new CustomEvent("intake:route", { bubbles: true }));
  }

  // The autocomplete endpoint reads ?q=; the box itself is a form field with another name.
  document.addEventListener("htmx:configRequest", function (event) {
    var el = event.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-intake-location")) {
      event.detail.parameters.q = el.value;
      event.detail.parameters.structure = el.getAttribute("data-structure") || "current";
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || !list.classList || !list.classList.contains("intake-options")) return;
    var input = document.querySelector('[aria-controls="' + list.id + '"]');
    if (input && document.activeElement === input) {
      setOpen(input, list.children.length > 0 && input.value.trim() !== "");
    }
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-intake-location")) return;
    // Typing again undoes the previous pick until a new place is chosen.
    var hidden = hiddenOf(input);
    if (hidden.value) {
      hidden.value = "";
      document.body.dispatchEvent(new CustomEvent("intake:route", { bubbles: true }));
    }
    if (!input.value.trim()) setOpen(input, false);
  });

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    var form = el && el.closest ? el.closest('form[data-intake-form="entry"]') : null;
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (el instanceof HTMLInputElement && el.hasAttribute("data-intake-location")) {
      var list = listOf(el);
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!optionsOf(list).length) return;
        event.preventDefault();
        if (!open) setOpen(el, true);
        var i = activeIndex(el);
        setActive(el, event.key === "ArrowDown" ? i + 1 : (i < 0 ? -1 : i - 1));
        return;
      }
      if (event.key === "Enter" && open) {
        var options = optionsOf(list);
        var index = activeIndex(el);
        event.preventDefault();
        if (index >= 0) pick(el, options[index]);
        else setOpen(el, false);
        return;
      }
      if (event.key === "Tab" && open) {
        var idx = activeIndex(el);
        if (idx >= 0) pick(el, optionsOf(list)[idx]);
        else setOpen(el, false);
        return;
      }
      if (event.key === "Escape" && open) {
        event.preventDefault();
        setOpen(el, false);
        return;
      }
    }
    // In the entry form, Enter in a one-line box does not save half a call; Ctrl+Enter or the button does.
    if (form && event.key === "Enter" && el instanceof HTMLInputElement && el.type !== "submit" &&
        el.type !== "checkbox" && el.type !== "file") {
      event.preventDefault();
    }
  });

  // Pointer users: choose with a click without losing the focus first.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest ? event.target.closest('.intake-options [role="option"]') : null;
    if (!option || option.getAttribute("aria-disabled") === "true") return;
    event.preventDefault();
    var input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
    if (input) pick(input, option);
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-intake-location")) {
      setOpen(input, false);
    }
  });
})();
