// The Studio's stylesheet and views (studio/studio.css, studio/views.js),
// generated into the build tree by cmake/embed_files.cmake so that
// `ember report` writes one self-contained HTML file.
#pragma once

#include <cstddef>

namespace ember::cli::studio {

extern const unsigned char studio_css[];
extern const size_t studio_css_size;
extern const unsigned char views_js[];
extern const size_t views_js_size;

}  // namespace ember::cli::studio
