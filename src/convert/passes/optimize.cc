// Graph passes: placeholder (the model is left as it is) until they land.
#include "convert/convert.h"

namespace ember::convert {

void OptimizeModel(fb::ModelT*, Diagnostics*) {}

}  // namespace ember::convert
