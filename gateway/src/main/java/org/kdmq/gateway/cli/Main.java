package org.kdmq.gateway.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kdmq.gateway.dmq.KdmqMessages;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kdmq-gateway}: run a node (default) or talk to a running one. */
@Command(name = "kdmq-gateway", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A Kamailio DMQ cluster node with a kazoo-style RabbitMQ bridge.",
        subcommands = {RunCommand.class, ClientCommands.Rpc.class, ClientCommands.Nodes.class, ClientCommands.Send.class,
                ClientCommands.Bcast.class, org.kdmq.gateway.bench.BenchCommand.class})
public final class Main implements Runnable {
    private static final List<String> SUBCOMMANDS = List.of("run", "rpc", "nodes", "send", "bcast", "bench", "help");

    public static void main(String[] args) {
        configureLogLevel(args, System.getenv());
        configureLeakSampling();
        System.exit(execute(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code (2 for bad usage). */
    public static int execute(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        CommandLine run = cli.getSubcommands().get("run");
        List<org.kdmq.gateway.api.GatewayExtension> extensions = new ArrayList<>();
        for (org.kdmq.gateway.api.GatewayExtension e : java.util.ServiceLoader.load(org.kdmq.gateway.api.GatewayExtension.class)) {
            extensions.add(e);
            if (e.options() != null) {
                run.addMixin(e.name(), e.options());
            }
            for (Object command : e.commands()) {
                cli.addSubcommand(command);
            }
        }
        ((RunCommand) run.getCommand()).extensions = extensions;
        cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("kdmq-gateway: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("kdmq-gateway: " + e.getMessage());
            return 1;
        });
        java.util.Set<String> names = new java.util.HashSet<>(SUBCOMMANDS);
        names.addAll(cli.getSubcommands().keySet());
        return cli.execute(withDefaultCommand(args, names));
    }

    /**
     * slf4j-simple reads its level once, when the first logger is made (before picocli has parsed
     * anything), so --log-level / KDMQ_LOG_LEVEL is looked up here first.
     */
    static void configureLogLevel(String[] args, Map<String, String> environment) {
        String level = environment.get("KDMQ_LOG_LEVEL");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-level") && i + 1 < args.length) {
                level = args[i + 1];
            } else if (args[i].startsWith("--log-level=")) {
                level = args[i].substring("--log-level=".length());
            }
        }
        if (level != null && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Netty's leak detector samples one buffer in this many unless -Dio.netty.leakDetection.samplingInterval says. */
    static final String LEAK_SAMPLING_INTERVAL = "1024";

    /**
     * Netty's default samples one buffer in 128, each with a stack trace: 2-4 % of a node's CPU at 15k
     * messages/s, where every message takes several buffers. One in 1024 still finds a leak that
     * repeats per message within a second at any real load, for an eighth of the cost. Netty reads
     * the property once, when its detector class loads, so this runs before any Netty class does.
     */
    static void configureLeakSampling() {
        if (System.getProperty("io.netty.leakDetection.samplingInterval") == null) {
            System.setProperty("io.netty.leakDetection.samplingInterval", LEAK_SAMPLING_INTERVAL);
        }
    }

    /** "run" is the default: {@code kdmq-gateway --ping-interval 5} means {@code kdmq-gateway run --ping-interval 5}. */
    static String[] withDefaultCommand(String[] args) {
        return withDefaultCommand(args, SUBCOMMANDS);
    }

    static String[] withDefaultCommand(String[] args, java.util.Collection<String> subcommands) {
        if (args.length > 0 && (subcommands.contains(args[0]) || List.of("-h", "--help", "-V", "--version").contains(args[0]))) {
            return args;
        }
        List<String> out = new ArrayList<>();
        out.add("run");
        out.addAll(List.of(args));
        return out.toArray(String[]::new);
    }

    @Override
    public void run() {
        // Not reached: withDefaultCommand always picks a subcommand.
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {KdmqMessages.PRODUCT + " " + KdmqMessages.VERSION};
        }
    }
}
