package dev.rotor.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the root command, its environment and the output stream. */
abstract class Subcommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    RotorCli cli() {
        return (RotorCli) spec.root().userObject();
    }

    CliEnvironment env() {
        return cli().env();
    }

    PrintStream out() {
        return env().out();
    }
}
