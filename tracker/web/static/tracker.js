/* Starts DKFDS's components (menu drawer and its "Mere" menu, error summary focus, accordions, responsive
   tables). The pages work without it: every form posts and every disclosure is a native <details>. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) {
    window.DKFDS.init();
  }
});
