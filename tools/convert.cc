// `ember convert`: placeholder until the convert tool lands; it says so and fails.
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"

namespace ember::cli {

RegisteredCommand AddConvertCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("convert", "(not available yet)");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("ARGS", *args, "arguments");
  return {cmd, [args] { return Fail(kExitError, "'ember convert' is not implemented"); }};
}

}  // namespace ember::cli
