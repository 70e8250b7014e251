package dev.asof.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code ./asof} can be told, from flags first, then {@code ASOF_*} environment variables, then
 * defaults. Pure: the caller passes the arguments, the environment and where the launcher jar lies.
 */
record StackConfig(
        Command command,
        Path root,
        Path home,
        int kafkaPort,
        int kafkaControllerPort,
        int dynamoPort,
        int ingestionPort,
        int reconstructionPort,
        int mergePort,
        int consolePort,
        int partitions,
        String tablePrefix,
        Duration startTimeout,
        int restartLimit,
        boolean infraOnly,
        boolean detach,
        boolean supervisor,
        List<String> serviceJavaOptions,
        Path campaignFile,
        String campaignName,
        String campaignCancel) {

    private static final java.util.regex.Pattern CAMPAIGN_ID =
            java.util.regex.Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");

    /** What the launcher is asked to do. */
    enum Command {
        UP,
        DOWN,
        STATUS,
        RESET,
        CAMPAIGN,
        HELP
    }

    static final String USAGE = """
            Usage: ./asof <command> [options]

            Commands:
              up        start Kafka, dynalite, the three services and the console; Ctrl-C stops them all
              down      stop a stack started with `up` (in the background or in another terminal)
              status    show what runs, where, and its memory
              reset     delete the Kafka and DynamoDB data under the home directory (the stack must be down)
              campaign FILE [--name NAME]
                        upload a bulk campaign (.csv, or .ndjson/.jsonl) to the running stack and show its
                        progress until it is done (docs/campaigns.md); uses ASOF_API_KEY, else the dev key
              campaign --cancel CAMPAIGN_ID
                        cancel a campaign (lines published so far stay) and show it until it has stopped;
                        exit 0 once cancelled, 1 if not (it had finished, or the request failed); the key
                        needs the events:write scope

            Options (each also as an environment variable):
              -d, --detach                    up: run in the background; stop with `./asof down`
              --infra-only                    up: only Kafka and dynalite (ASOF_INFRA_ONLY=true)
              --home DIR                      data, logs and the dev API key (ASOF_HOME, default <root>/.asof)
              --root DIR                      the asof checkout (ASOF_ROOT, default: found from the launcher jar)
              --kafka-port N                  Kafka clients (ASOF_KAFKA_PORT, default 9092)
              --kafka-controller-port N       KRaft controller (ASOF_KAFKA_CONTROLLER_PORT, default 9093)
              --dynamodb-port N               dynalite (ASOF_DYNAMODB_PORT, default 8000)
              --ingestion-port N              ingestion-service (ASOF_INGESTION_PORT, default 8081)
              --reconstruction-port N         reconstruction-service (ASOF_RECONSTRUCTION_PORT, default 8082)
              --merge-port N                  merge-service (ASOF_MERGE_PORT, default 8083)
              --console-port N                the auditor console (ASOF_CONSOLE_PORT, default 8084)
              --partitions N                  partitions of new topics (ASOF_PARTITIONS, default 6)
              --table-prefix P                DynamoDB table prefix (ASOF_TABLE_PREFIX, default asof_)
              --timeout SECONDS               how long `up` waits for health (ASOF_START_TIMEOUT, default 180)
              --restart-limit N               up: restarts in a row of a child that keeps dying before the stack
                                              stops (ASOF_RESTART_LIMIT, default 5; 0: never restart)
              ASOF_SERVICE_JAVA_OPTS          extra JVM options for the services and the console
            """;

    private static final List<Option> OPTIONS = List.of(
            new Option("--home", "ASOF_HOME", null),
            new Option("--root", "ASOF_ROOT", null),
            new Option("--kafka-port", "ASOF_KAFKA_PORT", "9092"),
            new Option("--kafka-controller-port", "ASOF_KAFKA_CONTROLLER_PORT", "9093"),
            new Option("--dynamodb-port", "ASOF_DYNAMODB_PORT", "8000"),
            new Option("--ingestion-port", "ASOF_INGESTION_PORT", "8081"),
            new Option("--reconstruction-port", "ASOF_RECONSTRUCTION_PORT", "8082"),
            new Option("--merge-port", "ASOF_MERGE_PORT", "8083"),
            new Option("--console-port", "ASOF_CONSOLE_PORT", "8084"),
            new Option("--partitions", "ASOF_PARTITIONS", "6"),
            new Option("--table-prefix", "ASOF_TABLE_PREFIX", "asof_"),
            new Option("--timeout", "ASOF_START_TIMEOUT", "180"),
            new Option(
                    "--restart-limit",
                    "ASOF_RESTART_LIMIT",
                    Integer.toString(RestartPolicy.DEFAULT_MAX_RAPID_FAILURES)),
            new Option("--infra-only", "ASOF_INFRA_ONLY", "false"));

    private record Option(String flag, String env, String fallback) {}

    /**
     * Reads the command line and environment.
     *
     * @param launcherJar the jar the launcher runs from, if it runs from one; its checkout is the default root
     * @param workingDir the fallback root
     * @throws UsageException for anything the user must correct
     */
    static StackConfig parse(List<String> args, Map<String, String> env, Optional<Path> launcherJar, Path workingDir) {
        Command command = null;
        boolean detach = false;
        boolean supervisor = false;
        Path campaignFile = null;
        String campaignName = null;
        String campaignCancel = null;
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-d") || arg.equals("--detach")) {
                detach = true;
            } else if (arg.equals("--supervisor")) {
                supervisor = true;
            } else if (arg.equals("--infra-only")) {
                given.put("--infra-only", "true");
            } else if (arg.equals("-h") || arg.equals("--help") || arg.equals("help")) {
                command = Command.HELP;
            } else if (arg.equals("--name") || arg.startsWith("--name=")) {
                if (arg.contains("=")) {
                    campaignName = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    campaignName = args.get(++i);
                } else {
                    throw new UsageException("--name needs a value");
                }
            } else if (arg.equals("--cancel") || arg.startsWith("--cancel=")) {
                if (campaignCancel != null) {
                    throw new UsageException("--cancel is given twice");
                }
                if (arg.contains("=")) {
                    campaignCancel = arg.substring(arg.indexOf('=') + 1).trim();
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    campaignCancel = args.get(++i).trim();
                } else {
                    throw new UsageException("--cancel needs a campaign id");
                }
            } else if (arg.startsWith("--")) {
                String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                Option option = OPTIONS.stream()
                        .filter(o -> o.flag().equals(flag))
                        .findFirst()
                        .orElseThrow(() -> new UsageException("unknown option " + flag));
                String value;
                if (arg.contains("=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(option.flag() + " needs a value");
                }
                given.put(option.flag(), value);
            } else if (command == null) {
                command = parseCommand(arg);
            } else if (command == Command.CAMPAIGN && campaignFile == null) {
                campaignFile = workingDir.resolve(arg).toAbsolutePath().normalize();
            } else {
                throw new UsageException("unexpected argument " + arg);
            }
        }
        if (command == null) {
            throw new UsageException("no command given");
        }
        if (detach && command != Command.UP) {
            throw new UsageException("--detach only applies to `up`");
        }
        if (campaignCancel != null && command != Command.CAMPAIGN) {
            throw new UsageException("--cancel only applies to `campaign`");
        }
        if (campaignCancel != null && (campaignFile != null || campaignName != null)) {
            throw new UsageException("campaign --cancel takes a campaign id only, no FILE or --name");
        }
        if (campaignCancel != null && !CAMPAIGN_ID.matcher(campaignCancel).matches()) {
            throw new UsageException(
                    "--cancel needs the campaign id the upload printed (a UUID), not '" + campaignCancel + "'");
        }
        if (command == Command.CAMPAIGN && campaignFile == null && campaignCancel == null) {
            throw new UsageException("campaign needs a FILE: ./asof campaign customers.csv [--name NAME]");
        }
        if (campaignName != null && command != Command.CAMPAIGN) {
            throw new UsageException("--name only applies to `campaign`");
        }

        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            String value = given.get(option.flag());
            if (value == null) {
                value = blankToNull(env.get(option.env()));
            }
            values.put(option.flag(), value == null ? option.fallback() : value);
        }

        Path root = values.get("--root") != null
                ? Path.of(values.get("--root"))
                : launcherJar.flatMap(StackConfig::checkoutOf).orElse(workingDir);
        root = root.toAbsolutePath().normalize();
        Path home = values.get("--home") != null
                ? Path.of(values.get("--home")).toAbsolutePath().normalize()
                : root.resolve(".asof");

        StackConfig config = new StackConfig(
                command,
                root,
                home,
                port(values, "--kafka-port"),
                port(values, "--kafka-controller-port"),
                port(values, "--dynamodb-port"),
                port(values, "--ingestion-port"),
                port(values, "--reconstruction-port"),
                port(values, "--merge-port"),
                port(values, "--console-port"),
                number(values, "--partitions", 1, 1024),
                tablePrefix(values.get("--table-prefix")),
                Duration.ofSeconds(number(values, "--timeout", 5, 3600)),
                number(values, "--restart-limit", 0, 100),
                bool(values, "--infra-only"),
                detach,
                supervisor,
                splitOptions(env.get("ASOF_SERVICE_JAVA_OPTS")),
                campaignFile,
                campaignName,
                campaignCancel);
        config.requireDistinctPorts();
        return config;
    }

    /** Every port the stack listens on, by what listens there, in start order. */
    Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("kafka", kafkaPort);
        ports.put("kafka controller", kafkaControllerPort);
        ports.put("dynalite", dynamoPort);
        if (!infraOnly) {
            for (ServiceSpec service : services()) {
                ports.put(service.name(), service.port());
            }
        }
        return ports;
    }

    /** The three services and the console, with their ports and jars, in start order. */
    List<ServiceSpec> services() {
        return List.of(
                new ServiceSpec("ingestion-service", ingestionPort, serviceJar("ingestion-service")),
                new ServiceSpec("reconstruction-service", reconstructionPort, serviceJar("reconstruction-service")),
                new ServiceSpec("merge-service", mergePort, serviceJar("merge-service")),
                new ServiceSpec(CONSOLE, consolePort, serviceJar(CONSOLE)));
    }

    /** The console's name among the services: it talks to the others over HTTP, not to Kafka or the tables. */
    static final String CONSOLE = "console";

    Path kafkaLibs() {
        return KafkaBrokerProcess.defaultKafkaLibs(root);
    }

    Path logs() {
        return home.resolve("logs");
    }

    Path runDir() {
        return home.resolve("run");
    }

    Path kafkaDir() {
        return home.resolve("kafka");
    }

    Path dynaliteDir() {
        return home.resolve("dynalite");
    }

    Path apiKeyFile() {
        return home.resolve("dev-api-key");
    }

    /** The console's own API key (scopes {@code profile:read gdpr:erase}). */
    Path consoleApiKeyFile() {
        return home.resolve("console-api-key");
    }

    /** The password of the console's dev operator. */
    Path consoleOperatorFile() {
        return home.resolve("console-operator-password");
    }

    /** The arguments that reproduce this configuration, for the background supervisor of {@code up --detach}. */
    List<String> toArguments() {
        List<String> args = new ArrayList<>(List.of(
                "--root", root.toString(),
                "--home", home.toString(),
                "--kafka-port", Integer.toString(kafkaPort),
                "--kafka-controller-port", Integer.toString(kafkaControllerPort),
                "--dynamodb-port", Integer.toString(dynamoPort),
                "--ingestion-port", Integer.toString(ingestionPort),
                "--reconstruction-port", Integer.toString(reconstructionPort),
                "--merge-port", Integer.toString(mergePort),
                "--console-port", Integer.toString(consolePort),
                "--partitions", Integer.toString(partitions),
                "--table-prefix", tablePrefix,
                "--timeout", Long.toString(startTimeout.toSeconds()),
                "--restart-limit", Integer.toString(restartLimit)));
        if (infraOnly) {
            args.add("--infra-only");
        }
        return args;
    }

    /** A service of the stack. */
    record ServiceSpec(String name, int port, Path jar) {}

    /** A mistake in the command line or environment; the message says what to change. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private Path serviceJar(String name) {
        return root.resolve(name).resolve("target").resolve(name + ".jar");
    }

    private void requireDistinctPorts() {
        Map<Integer, String> seen = new LinkedHashMap<>();
        ports().forEach((name, port) -> {
            String other = seen.putIfAbsent(port, name);
            if (other != null) {
                throw new UsageException(other + " and " + name + " cannot both use port " + port);
            }
        });
    }

    /** {@code <root>/local-stack/target/x.jar} means the checkout is {@code <root>}. */
    private static Optional<Path> checkoutOf(Path jar) {
        Path target = jar.toAbsolutePath().normalize().getParent();
        if (target == null || target.getParent() == null || target.getParent().getParent() == null) {
            return Optional.empty();
        }
        Path root = target.getParent().getParent();
        return Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("local-stack"))
                ? Optional.of(root)
                : Optional.empty();
    }

    private static Command parseCommand(String word) {
        try {
            return Command.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown command " + word);
        }
    }

    private static int port(Map<String, String> values, String flag) {
        return number(values, flag, 1, 65535);
    }

    private static int number(Map<String, String> values, String flag, int min, int max) {
        String value = values.get(flag);
        try {
            int number = Integer.parseInt(value.trim());
            if (number < min || number > max) {
                throw new UsageException(flag + " must be between " + min + " and " + max + ", not " + value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " must be a number, not " + value);
        }
    }

    private static boolean bool(Map<String, String> values, String flag) {
        String value = values.get(flag).trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new UsageException(flag + " must be true or false, not " + value);
        };
    }

    private static String tablePrefix(String value) {
        if (!value.matches("[a-zA-Z0-9_.-]{0,64}")) {
            throw new UsageException("--table-prefix may only use letters, digits, '_', '.', '-': " + value);
        }
        return value;
    }

    private static List<String> splitOptions(String value) {
        String trimmed = value == null ? "" : value.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
