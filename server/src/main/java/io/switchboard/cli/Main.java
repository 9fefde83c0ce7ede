package io.switchboard.cli;

import picocli.CommandLine;

/** The {@code switchboard} command line. */
public final class Main {

    private Main() {
    }

    /** Runs a command and exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Leak tracking samples buffers with stack traces; tests keep it on, production runs without.
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        int status;
        try {
            status = commandLine().execute(args);
        } catch (Throwable t) {
            // An error (not an exception) from a command, such as NoClassDefFoundError after the jar was
            // replaced under a running process, would end main and leave the JVM running on the admin
            // server's non-daemon thread: a proxy that no longer drains or stops on SIGTERM.
            System.err.println("switchboard: stopped by an unexpected error");
            t.printStackTrace();
            status = 70;
        }
        System.exit(status);
    }

    /**
     * An error that ends any other thread ends the process: an event loop that died (a class gone
     * with a replaced jar, memory exhausted) never completes the promises the drain or the stop
     * waits on, so main would wait for ever, deaf to SIGTERM. Exceptions are reported and left to
     * the thread's owner, as the JVM's default does.
     */
    private static void uncaught(Thread thread, Throwable t) {
        System.err.println("switchboard: thread " + thread.getName() + " ended by " + t);
        t.printStackTrace();
        if (t instanceof Error) {
            // halt, not exit: shutdown hooks may wait on the dead thread too.
            Runtime.getRuntime().halt(70);
        }
    }

    /** The command line, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new SwitchboardCommand()).setExecutionExceptionHandler((e, cl, parsed) -> {
            // Bad input (an unreadable kubeconfig, a port in use) is said in one line; anything else keeps its trace.
            if (e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
                cl.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
    }
}
