package io.switchboard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: a service load balancer for Kubernetes-style services. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "A service load balancer for Kubernetes-style services.",
        subcommands = {RunCommand.class, DemoCommand.class, ValidateCommand.class, ListCommand.class, ConntrackCommand.class,
                EtcdCommand.class, FleetCommand.class, BackendCommand.class, TrainCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class SwitchboardCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
