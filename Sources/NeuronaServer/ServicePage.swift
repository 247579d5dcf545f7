// `GET /`: the page a person uses — choose or drop a picture, see its cut-out on a
// checkerboard (segment) or its labels (classify), download the result. One self-contained
// document (HTML, CSS, a little JavaScript), nothing fetched from elsewhere; it calls the
// same `POST /v1/<task>` as any client.

/// The page of a task.
enum ServicePage {
  /// The page for `task` (`segment` or `classify`).
  static func html(task: String) -> String {
    template.replacingOccurrences(of: "{{TASK}}", with: task)
  }

  private static let template = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Neurona {{TASK}}</title>
    <style>
      :root { font-family: system-ui, sans-serif; color: #1d232a; background: #f4f5f7; }
      body { max-width: 960px; margin: 0 auto; padding: 24px; }
      h1 { font-size: 1.4rem; margin: 0 0 4px; }
      .model { color: #5b6570; font-size: .9rem; margin-bottom: 16px; }
      #drop { display: block; border: 2px dashed #9aa4ae; border-radius: 10px; padding: 28px; text-align: center;
        background: #fff; cursor: pointer; }
      #drop.over { border-color: #2f6fde; background: #eef4ff; }
      .options { display: flex; gap: 16px; align-items: center; margin: 12px 0; flex-wrap: wrap; }
      .panes { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
      figure { margin: 0; background: #fff; border-radius: 10px; padding: 10px; }
      figcaption { font-size: .85rem; color: #5b6570; margin-bottom: 6px; }
      figure img { max-width: 100%; max-height: 420px; display: block; margin: 0 auto; }
      .checker { background-color: #fff;
        background-image: conic-gradient(#d4d8dd 25%, #fff 0 50%, #d4d8dd 0 75%, #fff 0);
        background-size: 20px 20px; }
      #status { min-height: 1.3em; margin: 8px 0; }
      #status.error { color: #b3261e; }
      #labels { list-style: none; padding: 0; margin: 0; }
      #labels li { margin: 6px 0; }
      .bar { height: 8px; background: #2f6fde; border-radius: 4px; }
      a.button { display: inline-block; margin-top: 8px; padding: 6px 12px; border-radius: 6px;
        background: #2f6fde; color: #fff; text-decoration: none; }
      a.button[hidden] { display: none; }
    </style>
    </head>
    <body data-task="{{TASK}}">
    <h1>Neurona {{TASK}}</h1>
    <div class="model" id="model">model: …</div>
    <label id="drop">Drop a PNG or JPEG here, or click to choose one
      <input type="file" id="file" accept="image/png,image/jpeg" hidden>
    </label>
    <div class="options" id="options"></div>
    <div id="status"></div>
    <div class="panes">
      <figure><figcaption>your picture</figcaption><img id="original" alt=""></figure>
      <figure id="answer"><figcaption id="answer-caption">result</figcaption>
        <div id="result-box"><img id="result" alt=""></div>
        <ol id="labels"></ol>
        <a id="download" class="button" hidden>Download</a>
      </figure>
    </div>
    <script>
    "use strict";
    const task = document.body.dataset.task;
    const $ = (id) => document.getElementById(id);
    let chosen = null, resultURL = null;

    fetch("/v1/models").then((r) => r.json()).then((m) => {
      $("model").textContent = "model: " + m.model + " (" + m.file.split("/").pop() + ")";
    }).catch(() => {});

    if (task === "segment") {
      $("options").innerHTML =
        '<label>show <select id="output"><option value="cutout">cut-out</option>' +
        '<option value="mask">mask</option><option value="overlay">overlay</option>' +
        '<option value="soft">soft map</option></select></label>' +
        '<label>threshold <input id="threshold" type="number" min="0.05" max="0.95" step="0.05" value="0.5"></label>';
      $("result-box").className = "checker";
      $("labels").hidden = true;
      $("output").onchange = () => chosen && send();
      $("threshold").onchange = () => chosen && send();
    } else {
      $("options").innerHTML =
        '<label>labels <input id="topk" type="number" min="1" max="20" value="5"></label>';
      $("result").hidden = true;
      $("topk").onchange = () => chosen && send();
    }

    function take(file) {
      if (!file) return;
      chosen = file;
      $("original").src = URL.createObjectURL(file);
      send();
    }

    async function send() {
      const started = performance.now();
      const status = $("status");
      status.className = "";
      status.textContent = "working on " + chosen.name + " …";
      status.dataset.done = "";
      $("download").hidden = true;
      const query = task === "segment"
        ? "output=" + $("output").value + "&threshold=" + $("threshold").value
        : "top_k=" + $("topk").value;
      try {
        const response = await fetch("/v1/" + task + "?" + query, { method: "POST", body: chosen });
        if (!response.ok) {
          let message = response.status + " " + response.statusText;
          try { message = (await response.json()).error; } catch (e) {}
          throw new Error(message);
        }
        const blob = await response.blob();
        if (resultURL) URL.revokeObjectURL(resultURL);
        resultURL = URL.createObjectURL(blob);
        const stem = chosen.name.replace(/\.[^.]*$/, "");
        if (task === "segment") {
          const kind = $("output").value;
          await new Promise((done, fail) => {
            $("result").onload = done; $("result").onerror = fail; $("result").src = resultURL;
          });
          $("answer-caption").textContent = kind + " (" + $("result").naturalWidth + "×" +
            $("result").naturalHeight + ")";
          $("download").download = stem + "." + kind + ".png";
        } else {
          const labels = JSON.parse(await blob.text()).predictions;
          $("labels").innerHTML = "";
          for (const p of labels) {
            const item = document.createElement("li");
            const text = document.createElement("div");
            text.textContent = p.label + " — " + (100 * p.confidence).toFixed(1) + " %";
            const bar = document.createElement("div");
            bar.className = "bar";
            bar.style.width = Math.max(1, 100 * p.confidence) + "%";
            item.append(text, bar);
            $("labels").append(item);
          }
          $("answer-caption").textContent = "labels";
          $("download").download = stem + ".labels.json";
        }
        $("download").href = resultURL;
        $("download").hidden = false;
        status.textContent = "done in " + Math.round(performance.now() - started) + " ms";
        status.dataset.done = "yes";
      } catch (error) {
        status.className = "error";
        status.textContent = error.message;
        status.dataset.done = "error";
      }
    }

    $("file").onchange = (event) => take(event.target.files[0]);
    const drop = $("drop");
    drop.ondragover = (event) => { event.preventDefault(); drop.classList.add("over"); };
    drop.ondragleave = () => drop.classList.remove("over");
    drop.ondrop = (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      take(event.dataTransfer.files[0]);
    };
    </script>
    </body>
    </html>
    """#
}
