// The contact form, enhanced: a company search as you type (the ARIA combobox pattern), the
// chosen company's people as checkboxes, and need and solution rows added without a reload.
// Without this script the form works through its "Find" and "Add" buttons, which reload it.
(function () {
  "use strict";

  var form = document.getElementById("contact-form");
  if (!form) return;

  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }
    );
  }

  function urlFor(pattern, id) {
    // The server writes each URL with the id 0 at its end; put the real id in its place.
    return pattern.replace(/0$/, String(id));
  }

  // The people met: checkboxes rebuilt for the company chosen.

  var peopleField = form.querySelector("[data-people-field]");
  var peopleList = peopleField.querySelector("[data-people-list]");
  var peopleNote = peopleField.querySelector("[data-people-empty]");

  function showPeopleNote(key) {
    peopleNote.hidden = !key;
    if (key) peopleNote.textContent = peopleNote.dataset[key];
  }

  function clearPeople(noteKey) {
    peopleList.textContent = "";
    peopleField.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    showPeopleNote(noteKey);
  }

  function loadPeople(companyId, stillWanted) {
    clearPeople(null);
    getJSON(urlFor(form.dataset.peopleUrl, companyId))
      .then(function (data) {
        if (!stillWanted()) return;
        data.people.forEach(function (person, i) {
          var box = document.createElement("div");
          box.className = "form-check";
          var input = document.createElement("input");
          input.type = "checkbox";
          input.className = "form-check-input";
          input.id = "people-" + i;
          input.name = "people";
          input.value = person.id;
          var label = document.createElement("label");
          label.className = "form-check-label";
          label.htmlFor = input.id;
          label.textContent = person.job_title ? person.name + " · " + person.job_title : person.name;
          box.append(input, " ", label);
          peopleList.appendChild(box);
        });
        showPeopleNote(data.people.length ? null : "noPeople");
      })
      .catch(function () {
        if (stillWanted()) showPeopleNote("unavailable");
      });
  }

  // The company: a combobox over /companies/search; the hidden field keeps the id chosen.

  var input = form.querySelector("#company_query");
  var hidden = form.querySelector("#company_id");
  var box = form.querySelector("[data-combobox]");
  var chosen = form.querySelector("[data-company-chosen]");
  var texts = box.dataset;
  var chosenName = hidden.value ? input.value : null;
  var results = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  var listbox = document.createElement("ul");
  listbox.id = "company-listbox";
  listbox.className = "contact-listbox";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", texts.listLabel);
  listbox.hidden = true;
  box.appendChild(listbox);

  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  box.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  function open() {
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = listbox.querySelectorAll("[role=option]");
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  }

  function render(items) {
    results = items;
    listbox.textContent = "";
    active = -1;
    if (!items.length) {
      close();
      status.textContent = texts.noMatch;
      return;
    }
    items.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = "company-option-" + i;
      option.className = "contact-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = i;
      var name = document.createElement("span");
      name.className = "contact-option-name";
      name.textContent = item.name;
      option.appendChild(name);
      var details = [item.locality, item.rcs_number].filter(Boolean).join(" · ");
      if (details) {
        var small = document.createElement("span");
        small.className = "contact-option-details";
        small.textContent = details;
        option.appendChild(small);
      }
      listbox.appendChild(option);
    });
    // An answer arriving after the user left the field opens nothing.
    if (document.activeElement === input) open();
    // The page gives the sentence in its language, singular and plural (no result: noMatch).
    var found = items.length === 1 ? texts.foundOne : texts.found;
    status.textContent = found.replace("{n}", items.length);
  }

  function search(q) {
    var request = ++latest;
    getJSON(form.dataset.searchUrl + "?q=" + encodeURIComponent(q))
      .then(function (data) {
        if (request === latest) render(data.results || []);
      })
      .catch(function () {
        // No search available: the "Find" button still resolves what was typed.
        if (request === latest) close();
      });
  }

  function showChosen(item) {
    chosen.textContent = "";
    var icon = document.createElement("i");
    icon.className = "bi bi-check-circle-fill";
    icon.setAttribute("aria-hidden", "true");
    var name = document.createElement("span");
    name.textContent = item.name;
    chosen.append(icon, " ", name);
    var details = [item.locality, item.rcs_number].filter(Boolean).join(", ");
    if (details) {
      var small = document.createElement("span");
      small.className = "text-body-secondary";
      small.textContent = " · " + details;
      chosen.appendChild(small);
    }
    chosen.hidden = false;
  }

  function forgetChoice() {
    hidden.value = "";
    chosenName = null;
    chosen.hidden = true;
    chosen.textContent = "";
    clearPeople("noCompany");
  }

  function removePick() {
    var pick = form.querySelector("[data-company-pick]");
    if (pick) pick.remove();
  }

  function choose(item) {
    input.value = item.name;
    chosenName = item.name;
    hidden.value = item.id;
    close();
    removePick();
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    var described = (input.getAttribute("aria-describedby") || "").replace(/\s*company_query-error/, "");
    input.setAttribute("aria-describedby", described.trim());
    box.parentNode.querySelectorAll(":scope > .invalid-feedback").forEach(function (el) {
      el.remove();
    });
    showChosen(item);
    loadPeople(item.id, function () { return hidden.value === String(item.id); });
  }

  input.addEventListener("input", function () {
    if (chosenName !== null && input.value !== chosenName) forgetChoice();
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) {
      latest++;
      close();
      return;
    }
    timer = setTimeout(function () { search(q); }, 200);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!results.length) return;
      event.preventDefault();
      if (listbox.hidden) open();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight(active < 0 && step < 0 ? results.length - 1 : (active + step + results.length) % results.length);
    } else if (event.key === "Enter") {
      // Enter picks the highlighted company; otherwise it submits the form, as everywhere.
      if (!listbox.hidden && active >= 0) {
        event.preventDefault();
        choose(results[active]);
      }
    } else if (event.key === "Escape") {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      }
    }
  });

  input.addEventListener("blur", close);
  // Keep the focus in the field while the mouse picks an option.
  listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
  listbox.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) choose(results[Number(option.dataset.index)]);
  });

  form.addEventListener("change", function (event) {
    if (event.target.id === "company_pick" && event.target.value) {
      var id = event.target.value;
      loadPeople(id, function () {
        var pick = form.querySelector("#company_pick");
        return pick !== null && pick.value === id;
      });
    }
  });

  // Need and solution rows, cloned from the blank rows in <template> elements.

  var needs = form.querySelector("[data-needs]");
  var needTemplate = document.getElementById("need-template");
  var solutionTemplate = document.getElementById("solution-template");

  function fromTemplate(template, values) {
    var html = template.innerHTML;
    Object.keys(values).forEach(function (key) {
      html = html.split(key).join(String(values[key]));
    });
    var holder = document.createElement("template");
    holder.innerHTML = html;
    return holder.content.firstElementChild;
  }

  function highestIndex(elements, pattern) {
    var highest = -1;
    elements.forEach(function (element) {
      var match = pattern.exec(element.name || element.dataset.index || "");
      if (match) highest = Math.max(highest, Number(match[1]));
    });
    return highest;
  }

  function addNeed() {
    var rows = needs.querySelectorAll(":scope > [data-need-row]");
    if (rows.length >= Number(needs.dataset.max)) return false;
    var index = highestIndex(rows, /^(\d+)$/) + 1;
    var row = fromTemplate(needTemplate, { __need__: index, __number__: rows.length + 1 });
    needs.appendChild(row);
    row.querySelector("select").focus();
    return true;
  }

  function addSolution(needRow) {
    var container = needRow.querySelector("[data-solutions]");
    var rows = container.querySelectorAll("[data-solution-row]");
    if (rows.length >= Number(container.dataset.max)) return false;
    var selects = container.querySelectorAll("select[name$='-instrument']");
    var index = highestIndex(selects, /-solutions-(\d+)-instrument$/) + 1;
    var row = fromTemplate(solutionTemplate, {
      __need__: needRow.dataset.index,
      __solution__: index,
      __number__: rows.length + 1,
    });
    container.appendChild(row);
    row.querySelector("select").focus();
    return true;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-need], [data-add-solution]");
    if (!button) return;
    var added = button.hasAttribute("data-add-need")
      ? addNeed()
      : addSolution(button.closest("[data-need-row]"));
    // At the limit, let the server say so.
    if (added) event.preventDefault();
  });
})();
