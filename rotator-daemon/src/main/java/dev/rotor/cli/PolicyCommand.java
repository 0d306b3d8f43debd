package dev.rotor.cli;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.daemon.DaemonConfig;
import picocli.CommandLine.Command;

/** {@code rotor policy ...}: commands on the policies of {@code rotor.yaml}. */
@Command(name = "policy", description = "Policy commands: validate.", subcommands = PolicyCommand.Validate.class)
final class PolicyCommand extends Subcommand {

    @Override
    public Integer call() {
        throw CliFailure.badInput("'rotor policy' needs a command: validate (see 'rotor policy --help')");
    }

    /** {@code rotor policy validate [--config FILE]} */
    @Command(name = "validate",
            description = {
                "Checks the whole configuration offline: stores, audit, rotators (by their providers), policies and scheduler.",
                "Prints 'ok: N policies, M rotators', or every problem as 'field: message', one a line, and exits with 5.",
            })
    static final class Validate extends Subcommand {

        @Override
        public Integer call() {
            DaemonConfig config;
            try {
                config = DaemonConfig.load(env().resolve(cli().config), env().rotators());
            } catch (InvalidConfigurationException e) {
                env().err().println("rotor: " + env().resolve(cli().config) + ": " + e.problems().size()
                        + (e.problems().size() == 1 ? " problem" : " problems"));
                for (ConfigProblem p : e.problems()) {
                    env().err().println("  " + ExitCodes.oneLine(p.toString()));
                }
                env().err().flush();
                return ExitCodes.CONFIGURATION;
            }
            out().println("ok: " + config.policies().size() + (config.policies().size() == 1 ? " policy, " : " policies, ")
                    + config.rotor().rotators().size() + (config.rotor().rotators().size() == 1 ? " rotator" : " rotators"));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
