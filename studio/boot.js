// A classic script that runs even when the Studio's ES module cannot load
// (opened from file://, where browsers refuse module scripts, or a missing
// build/wasm): after the page loads, if studio.js never started, say why
// instead of leaving "loading Ember…" forever.
window.addEventListener('load', function() {
  setTimeout(function() {
    if (document.body.dataset.state) return;  // studio.js is running
    var box = document.getElementById('error');
    var status = document.getElementById('status');
    box.textContent = location.protocol === 'file:' ?
        'Ember Studio must be served over http(s): browsers do not load ' +
        'ES modules or .wasm from file://. In the repository root run ' +
        '`python3 -m http.server 8000` and open ' +
        'http://localhost:8000/studio/ (nothing leaves your machine).' :
        'Ember Studio could not load its module (studio.js or ' +
        '../build/wasm/ember.mjs). Build it with `bash scripts/build_wasm.sh`.';
    box.classList.add('shown');
    status.textContent = 'not loaded';
    document.body.dataset.state = 'error';
  }, 1500);
});
