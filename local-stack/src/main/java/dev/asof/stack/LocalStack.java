package dev.asof.stack;

import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.kafka.TopicSettings;
import dev.asof.support.storage.AsofTables;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code ./asof up}: starts Kafka and dynalite, creates the topics and tables, starts the services, waits until
 * everything is healthy, then keeps it running until Ctrl-C or {@code ./asof down}: a child that dies on its own is
 * restarted ({@link Supervisor}); one that keeps dying stops the stack. Stopping is the reverse of starting:
 * services first, Kafka last, so nothing loses its broker while it still works.
 */
final class LocalStack {

    static final String REGION = "us-east-1";
    static final String ACCESS_KEY = "local";
    static final String SECRET_KEY = "local";

    private static final Duration POLL = Duration.ofMillis(250);
    /** The console's dev operator, printed by {@code up} with its password. */
    static final String CONSOLE_OPERATOR = "operator";
    /** How long a stop waits for a restart that was under way; the restart gives up once its child is killed. */
    private static final Duration RESTART_SETTLE = Duration.ofSeconds(20);

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 25;
    /** Stopped after the services, in this order: the services need both, and Kafka goes last. */
    private static final List<String> INFRASTRUCTURE = List.of("dynalite", "kafka");

    private final StackConfig config;
    private final PrintStream out;
    private final RunDirectory run;
    private final long startedAt = System.nanoTime();
    private final Supervisor supervisor;

    // Guarded by this; the shutdown hook and the starting thread both touch them.
    private boolean stopping;
    private boolean claimed;

    LocalStack(StackConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.run = new RunDirectory(config.runDir());
        this.supervisor = new Supervisor(
                RestartPolicy.withMaxRapidFailures(config.restartLimit()), Clock.systemUTC(), this::progress);
    }

    /** Starts everything and keeps it running; returns an exit code only when something failed. */
    int run() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "asof-stop"));
        try {
            start();
        } catch (StackException e) {
            if (isStopping()) {
                // Ctrl-C during the start: what failed was stopped on purpose.
                return 130;
            }
            out.println();
            out.println("error: " + e.getMessage());
            stop();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            return 130;
        }
        return watch();
    }

    private void start() throws StackException, InterruptedException {
        Toolchain.requireJavaAndNode();
        claimRunDirectory();
        requireJars();
        requireFreePorts();
        StackSecrets secrets = loadSecrets();

        out.println("Starting the asof local stack (data and logs in " + config.home() + ")");
        ExecutorService pool = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "asof-start");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<KafkaBrokerProcess> startingKafka = pool.submit(this::startKafka);
            Future<DynaliteProcess> startingDynalite = pool.submit(this::startDynalite);
            List<StackException> failures = new ArrayList<>();
            KafkaBrokerProcess broker = await(startingKafka, failures);
            DynaliteProcess dynamo = await(startingDynalite, failures);
            throwFirst(failures);

            Future<List<String>> topics = pool.submit(() -> createTopics(broker));
            Future<List<String>> tables = pool.submit(() -> createTables(dynamo));
            List<String> topicNames = await(topics, failures);
            List<String> tableNames = await(tables, failures);
            throwFirst(failures);
            progress("topics", "ready: " + String.join(", ", topicNames) + " (" + config.partitions() + " partitions)");
            progress("tables", "ready: " + String.join(", ", tableNames));
        } finally {
            pool.shutdownNow();
        }

        if (!config.infraOnly()) {
            startServices(secrets);
        }
        printSummary(secrets);
        write(() -> run.state("READY"));
    }

    private void claimRunDirectory() throws StackException {
        var launcher = run.launcher().flatMap(entry -> entry.live().map(process -> entry));
        if (launcher.isPresent()
                && launcher.get().pid() != ProcessHandle.current().pid()) {
            throw new StackException("the local stack already runs (launcher pid "
                    + launcher.get().pid() + ", " + launcher.get().endpoint()
                    + "); see `./asof status`, stop it with `./asof down`");
        }
        List<RunDirectory.Entry> leftovers = run.children().stream()
                .filter(entry -> entry.live().isPresent())
                .toList();
        for (RunDirectory.Entry leftover : leftovers) {
            out.println("Stopping " + leftover.name() + " (pid " + leftover.pid()
                    + "), left running by an earlier launcher that did not shut down cleanly");
            leftover.live().ifPresent(process -> ChildProcesses.stop(process, Duration.ofSeconds(30)));
        }
        run.clear();
        write(() -> {
            Files.createDirectories(config.logs());
            run.recordLauncher(config.supervisor(), config.supervisor() ? launcherLog(config) : null);
            run.state("STARTING");
        });
        synchronized (this) {
            claimed = true;
        }
    }

    private void requireJars() throws StackException {
        List<String> missing = new ArrayList<>();
        if (!hasKafkaJars()) {
            missing.add("Kafka's runtime in " + config.kafkaLibs());
        }
        if (!config.infraOnly()) {
            for (StackConfig.ServiceSpec service : config.services()) {
                if (!Files.isRegularFile(service.jar())) {
                    missing.add(service.name() + " at " + service.jar());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new StackException("missing build output:" + System.lineSeparator() + "    "
                    + String.join(System.lineSeparator() + "    ", missing) + System.lineSeparator()
                    + "Build it with `./mvnw -DskipTests package` (`./asof up` does that by itself), or start only"
                    + " Kafka and dynalite with `--infra-only`.");
        }
    }

    private boolean hasKafkaJars() {
        try (var jars = Files.list(config.kafkaLibs())) {
            return jars.anyMatch(jar -> jar.getFileName().toString().startsWith("kafka_2.13-"));
        } catch (IOException e) {
            return false;
        }
    }

    private void requireFreePorts() throws StackException {
        List<String> busy = new ArrayList<>();
        config.ports().forEach((name, port) -> {
            if (!Ports.isFree(port)) {
                busy.add("port " + port + " (" + name + ") is in use"
                        + Ports.ownerOf(port).map(owner -> " by " + owner).orElse(""));
            }
        });
        if (!busy.isEmpty()) {
            throw new StackException(String.join(System.lineSeparator(), busy) + System.lineSeparator()
                    + "Stop what holds it (is another `./asof up` or a docker compose stack running?), or choose"
                    + " other ports, e.g. `./asof up --kafka-port 19092` (see `./asof --help`).");
        }
    }

    /**
     * A restart that first checks the child's ports, like the first start: whatever took one meanwhile would make
     * the child fail, or, worse, make it look ready because something answers there.
     */
    private Supervisor.Launch onFreePorts(String child, Supervisor.Launch launch) {
        return restart -> {
            for (Map.Entry<String, Integer> port : config.ports().entrySet()) {
                if (port.getKey().startsWith(child) && !Ports.isFree(port.getValue())) {
                    throw new StackException("port " + port.getValue() + " (" + port.getKey() + ") is in use"
                            + Ports.ownerOf(port.getValue())
                                    .map(owner -> " by " + owner)
                                    .orElse(""));
                }
            }
            return launch.start(restart);
        };
    }

    /** The dev API key, the console's API key and the console operator's password. */
    private record StackSecrets(DevApiKey dev, DevApiKey console, String operatorPassword) {}

    private StackSecrets loadSecrets() throws StackException {
        Path file = config.apiKeyFile();
        try {
            DevApiKey dev = DevApiKey.loadOrCreate(file);
            file = config.consoleApiKeyFile();
            DevApiKey console = DevApiKey.loadOrCreateConsoleKey(file);
            file = config.consoleOperatorFile();
            String password = SecretFile.readOrCreate(file, "", 18);
            return new StackSecrets(dev, console, password);
        } catch (IOException e) {
            throw new StackException("cannot read or create " + file, e);
        }
    }

    private KafkaBrokerProcess startKafka() throws StackException, InterruptedException {
        Path log = rotatedLog("kafka");
        boolean firstStart = !Files.exists(config.kafkaDir().resolve("data").resolve("meta.properties"));
        progress(
                "kafka",
                "starting on localhost:" + config.kafkaPort() + " (controller " + config.kafkaControllerPort()
                        + (firstStart ? ", first start: formatting storage" : "") + ")");
        KafkaBrokerProcess broker = launchKafka(log);
        supervisor.add(
                "kafka", log, broker, onFreePorts("kafka", restart -> recordKafka(launchKafka(log), log, restart)));
        recordKafka(broker, log, 0);
        try {
            progress("kafka", "ready (cluster " + broker.clusterId() + ")");
        } catch (IOException e) {
            throw new StackException("Kafka's meta.properties is unreadable: " + e.getMessage(), e);
        }
        return broker;
    }

    private KafkaBrokerProcess launchKafka(Path log) throws StackException, InterruptedException {
        try {
            return KafkaBrokerProcess.start(
                    config.kafkaLibs(), config.kafkaDir(), config.kafkaPort(), config.kafkaControllerPort(), log);
        } catch (IOException e) {
            throw new StackException("Kafka did not start: " + e.getMessage(), e);
        }
    }

    private KafkaBrokerProcess recordKafka(KafkaBrokerProcess broker, Path log, int restarts) throws StackException {
        write(() -> run.record(
                "kafka",
                broker.handle(),
                "localhost:" + config.kafkaPort(),
                "tcp:127.0.0.1:" + config.kafkaPort(),
                log,
                restarts));
        return broker;
    }

    private DynaliteProcess startDynalite() throws StackException, InterruptedException {
        Path log = rotatedLog("dynalite");
        progress("dynalite", "starting on http://localhost:" + config.dynamoPort());
        DynaliteProcess started = launchDynalite(log);
        supervisor.add(
                "dynalite",
                log,
                started,
                onFreePorts("dynalite", restart -> recordDynalite(launchDynalite(log), log, restart)));
        recordDynalite(started, log, 0);
        progress("dynalite", "ready");
        return started;
    }

    private DynaliteProcess launchDynalite(Path log) throws StackException, InterruptedException {
        try {
            return DynaliteProcess.start(config.root(), config.dynamoPort(), config.dynaliteDir(), log);
        } catch (IOException e) {
            throw new StackException("dynalite did not start: " + e.getMessage() + System.lineSeparator()
                    + ChildProcesses.tail(log, TAIL_LINES));
        }
    }

    private DynaliteProcess recordDynalite(DynaliteProcess dynalite, Path log, int restarts) throws StackException {
        write(() -> run.record(
                "dynalite",
                dynalite.handle(),
                "http://localhost:" + config.dynamoPort(),
                "tcp:127.0.0.1:" + config.dynamoPort(),
                log,
                restarts));
        return dynalite;
    }

    private List<String> createTopics(KafkaBrokerProcess broker) throws StackException {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            AsofTopics.ensureAll(admin, TopicSettings.of(config.partitions(), (short) 1));
            return AsofTopics.definitions(TopicSettings.of(config.partitions(), (short) 1)).stream()
                    .map(topic -> topic.name())
                    .toList();
        } catch (RuntimeException e) {
            throw new StackException("could not create the Kafka topics: " + e.getMessage(), e);
        }
    }

    private List<String> createTables(DynaliteProcess dynamo) throws StackException {
        AsofTables tables = new AsofTables(config.tablePrefix());
        try (DynamoDbClient client = DynamoDbClient.builder()
                .endpointOverride(dynamo.endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            tables.ensureAll(client);
            return tables.definitions().stream().map(table -> table.tableName()).toList();
        } catch (RuntimeException e) {
            throw new StackException("could not create the DynamoDB tables: " + e.getMessage(), e);
        }
    }

    private void startServices(StackSecrets secrets) throws StackException, InterruptedException {
        List<ServiceProcess> starting = new ArrayList<>();
        for (StackConfig.ServiceSpec spec : config.services()) {
            Path log = rotatedLog(spec.name());
            ServiceProcess service = launchService(spec, secrets, log);
            supervisor.add(
                    spec.name(),
                    log,
                    service,
                    onFreePorts(
                            spec.name(), restart -> recordService(launchService(spec, secrets, log), log, restart)));
            recordService(service, log, 0);
            starting.add(service);
            progress(spec.name(), "starting on http://localhost:" + spec.port() + " (log " + log + ")");
        }
        awaitHealthy(starting);
    }

    private ServiceProcess launchService(StackConfig.ServiceSpec spec, StackSecrets secrets, Path log)
            throws StackException {
        try {
            return ServiceProcess.start(
                    spec.name(),
                    spec.jar(),
                    spec.port(),
                    config.serviceJavaOptions(),
                    serviceArguments(spec, secrets),
                    spec.name().equals(StackConfig.CONSOLE)
                            // a secret goes in the environment, not on the command line other users can read
                            ? Map.of("ASOF_CONSOLE_APIKEY", secrets.console().value())
                            : Map.of(),
                    config.home(),
                    log);
        } catch (IOException e) {
            throw new StackException("could not start " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    private ServiceProcess recordService(ServiceProcess service, Path log, int restarts) throws StackException {
        write(() -> run.record(
                service.name(),
                service.handle(),
                "http://localhost:" + service.port(),
                service.healthUri().toString(),
                log,
                restarts));
        return service;
    }

    private List<String> serviceArguments(StackConfig.ServiceSpec spec, StackSecrets secrets) {
        if (spec.name().equals(StackConfig.CONSOLE)) {
            return consoleArguments(spec, secrets);
        }
        DevApiKey apiKey = secrets.dev();
        return List.of(
                "--server.port=" + spec.port(),
                "--spring.kafka.bootstrap-servers=127.0.0.1:" + config.kafkaPort(),
                "--spring.cloud.aws.dynamodb.endpoint=http://127.0.0.1:" + config.dynamoPort(),
                "--spring.cloud.aws.region.static=" + REGION,
                "--spring.cloud.aws.credentials.access-key=" + ACCESS_KEY,
                "--spring.cloud.aws.credentials.secret-key=" + SECRET_KEY,
                "--asof.dynamodb.table-prefix=" + config.tablePrefix(),
                "--asof.kafka.partitions=" + config.partitions(),
                "--asof.privacy.kek-keyset-path="
                        + config.home().resolve("privacy").resolve("kek.json").toAbsolutePath(),
                "--asof.security.api-keys[0].name=" + DevApiKey.NAME,
                "--asof.security.api-keys[0].sha256=" + apiKey.sha256(),
                "--asof.security.api-keys[0].scopes=" + DevApiKey.SCOPES,
                "--asof.security.api-keys[1].name=" + DevApiKey.CONSOLE_NAME,
                "--asof.security.api-keys[1].sha256=" + secrets.console().sha256(),
                "--asof.security.api-keys[1].scopes=" + DevApiKey.CONSOLE_SCOPES);
    }

    /**
     * The console talks to the services over HTTP with its own key, and signs in one dev operator with both
     * roles; the password is hashed here (bcrypt), the console never sees it in clear.
     */
    private List<String> consoleArguments(StackConfig.ServiceSpec spec, StackSecrets secrets) {
        String hash = PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(secrets.operatorPassword());
        return List.of(
                "--server.port=" + spec.port(),
                "--asof.console.ingestion-url=http://127.0.0.1:" + config.ingestionPort(),
                "--asof.console.reconstruction-url=http://127.0.0.1:" + config.reconstructionPort(),
                "--asof.console.merge-url=http://127.0.0.1:" + config.mergePort(),
                "--asof.console.users[0].username=" + CONSOLE_OPERATOR,
                "--asof.console.users[0].password-hash=" + hash,
                "--asof.console.users[0].roles=auditor,privacy-officer");
    }

    private void awaitHealthy(List<ServiceProcess> starting) throws StackException, InterruptedException {
        List<ServiceProcess> waiting = new ArrayList<>(starting);
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        while (!waiting.isEmpty()) {
            for (ServiceProcess service : List.copyOf(waiting)) {
                if (!service.isAlive()) {
                    throw new StackException(service.name() + " exited with code " + service.exitValue()
                            + " while starting. Last lines of " + service.logFile() + ":" + System.lineSeparator()
                            + ChildProcesses.tail(service.logFile(), TAIL_LINES));
                }
                if (service.isHealthy()) {
                    waiting.remove(service);
                    progress(service.name(), "healthy");
                }
            }
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder message = new StringBuilder();
                for (ServiceProcess service : waiting) {
                    message.append(service.name())
                            .append(" did not report UP at ")
                            .append(service.healthUri())
                            .append(" within ")
                            .append(config.startTimeout().toSeconds())
                            .append(" s. Last lines of ")
                            .append(service.logFile())
                            .append(':')
                            .append(System.lineSeparator())
                            .append(ChildProcesses.tail(service.logFile(), TAIL_LINES))
                            .append(System.lineSeparator());
                }
                message.append("Allow more time with --timeout SECONDS.");
                throw new StackException(message.toString());
            }
            if (System.nanoTime() > nextProgress) {
                progress(
                        "waiting",
                        "for " + waiting.stream().map(ServiceProcess::name).collect(Collectors.joining(", ")));
                nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Blocks while everything runs, restarting what dies; returns 1 when a child kept dying. */
    private int watch() {
        Optional<Supervisor.GaveUp> gaveUp;
        try {
            gaveUp = supervisor.watch();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        if (gaveUp.isEmpty()) {
            return 0;
        }
        out.println();
        out.println("error: " + gaveUp.get().message());
        out.println("Last lines of " + gaveUp.get().log() + ":");
        out.println(ChildProcesses.tail(gaveUp.get().log(), TAIL_LINES));
        stop();
        return 1;
    }

    /** Stops everything this launcher started, services first and Kafka last. Safe to call more than once. */
    synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        long begin = System.nanoTime();
        // From here on nothing is restarted, so the children stopped below stay stopped.
        Map<String, SupervisedProcess> running = supervisor.stop();
        boolean anything = !running.isEmpty();
        if (anything) {
            out.println();
            out.println("Stopping the asof local stack...");
        }
        if (claimed) {
            quietly(() -> run.state("STOPPING"));
        }
        List<String> services = running.keySet().stream()
                .filter(name -> !INFRASTRUCTURE.contains(name))
                .toList();
        services.parallelStream().forEach(name -> stopChild(name, running.get(name)));
        for (String name : INFRASTRUCTURE) {
            if (running.containsKey(name)) {
                stopChild(name, running.get(name));
            }
        }
        // Whatever was still starting when the stop came (a broker formatting its storage, npm ci, a restart ...).
        stopDescendants();
        try {
            supervisor.awaitRestartFinished(RESTART_SETTLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopDescendants();
        if (claimed) {
            // Only the launcher that recorded the stack may forget it; a refused second `up` must not.
            run.clear();
        }
        if (anything) {
            out.printf(Locale.ROOT, "Stopped in %.1fs.%n", (System.nanoTime() - begin) / 1e9);
        }
    }

    private void stopChild(String name, SupervisedProcess process) {
        process.close();
        progress(name, "stopped");
        run.forget(name);
    }

    private static void stopDescendants() {
        ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .forEach(process -> ChildProcesses.stop(process, Duration.ofSeconds(10)));
    }

    private synchronized boolean isStopping() {
        return stopping;
    }

    private void printSummary(StackSecrets secrets) {
        DevApiKey apiKey = secrets.dev();
        Instant eventTime = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Instant readTime = eventTime.plus(1, ChronoUnit.MINUTES);
        String key = apiKey.value();
        String n = System.lineSeparator();
        StringBuilder summary = new StringBuilder(n);
        summary.append(String.format(
                Locale.ROOT, "asof local stack is up (%.1fs).%n%n", (System.nanoTime() - startedAt) / 1e9));
        if (!config.infraOnly()) {
            for (StackConfig.ServiceSpec service : config.services()) {
                summary.append(
                        String.format(Locale.ROOT, "  %-24s http://localhost:%d%n", service.name(), service.port()));
            }
        }
        summary.append(String.format(
                Locale.ROOT,
                "  %-24s localhost:%d   topics %s, %s%n",
                "Kafka",
                config.kafkaPort(),
                AsofTopics.PROFILE_EVENTS,
                AsofTopics.PROFILE_EVENTS_DLT));
        summary.append(String.format(
                Locale.ROOT,
                "  %-24s http://localhost:%d   region %s, access key %s / secret %s, tables %s*%n",
                "DynamoDB (dynalite)",
                config.dynamoPort(),
                REGION,
                ACCESS_KEY,
                SECRET_KEY,
                config.tablePrefix()));
        summary.append(String.format(Locale.ROOT, "  %-24s %s%n", "Logs", config.logs()));
        summary.append(n)
                .append("Dev API key (all scopes; kept in ")
                .append(config.apiKeyFile())
                .append("):")
                .append(n)
                .append("  ")
                .append(key)
                .append(n);
        if (!config.infraOnly()) {
            String event = "{\"event_id\":\"" + UUID.randomUUID() + "\","
                    + "\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\",\"timestamp_utc\":\"" + eventTime + "\","
                    + "\"customer_id\":\"cust_demo_1\",\"source_system\":\"genesys_cloud_cx\","
                    + "\"metadata\":{\"channel\":\"voice\"},\"payload\":{\"attribute_key\":\"preferred_language\","
                    + "\"previous_value\":\"en-US\",\"new_value\":\"es-ES\",\"change_reason\":\"agent_update\"}}";
            summary.append(n)
                    .append("Try it (post an event, then read the profile as of a minute later):")
                    .append(n)
                    .append("  curl -sS -X POST http://localhost:")
                    .append(config.ingestionPort())
                    .append("/api/v1/events -H 'Authorization: Bearer ")
                    .append(key)
                    .append("' -H 'Content-Type: application/json' -d '")
                    .append(event)
                    .append("'; echo")
                    .append(n)
                    .append("  sleep 1; curl -sS http://localhost:")
                    .append(config.reconstructionPort())
                    .append("/api/v1/customers/cust_demo_1/profile/at/")
                    .append(readTime)
                    .append(" -H 'Authorization: Bearer ")
                    .append(key)
                    .append("'; echo")
                    .append(n);
        }
        if (!config.infraOnly()) {
            summary.append(n)
                    .append("Console: http://localhost:")
                    .append(config.consolePort())
                    .append("  user ")
                    .append(CONSOLE_OPERATOR)
                    .append(", password ")
                    .append(secrets.operatorPassword())
                    .append(" (auditor and privacy officer; kept in ")
                    .append(config.consoleOperatorFile())
                    .append(")")
                    .append(n);
        }
        summary.append(n)
                .append(
                        config.supervisor()
                                ? "Running in the background. `./asof status` shows it, `./asof down` stops it."
                                : "Press Ctrl-C to stop (or run `./asof down` in another terminal).");
        out.println(summary);
    }

    private Path rotatedLog(String name) throws StackException {
        Path log = config.logs().resolve(name + ".log");
        write(() -> {
            Files.createDirectories(config.logs());
            if (Files.exists(log)) {
                Files.move(log, config.logs().resolve(name + ".log.1"), StandardCopyOption.REPLACE_EXISTING);
            }
        });
        return log;
    }

    static Path launcherLog(StackConfig config) {
        return config.logs().resolve("launcher.log");
    }

    private void progress(String what, String message) {
        out.printf(Locale.ROOT, "[%5.1fs] %-23s %s%n", (System.nanoTime() - startedAt) / 1e9, what, message);
    }

    private static <T> T await(Future<T> future, List<StackException> failures) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            failures.add(
                    e.getCause() instanceof StackException stack
                            ? stack
                            : new StackException(String.valueOf(e.getCause()), e.getCause()));
            return null;
        }
    }

    private static void throwFirst(List<StackException> failures) throws StackException {
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void write(IoAction action) throws StackException {
        try {
            action.run();
        } catch (IOException e) {
            throw new StackException("cannot write under the stack's home directory: " + e.getMessage(), e);
        }
    }

    private static void quietly(IoAction action) {
        try {
            action.run();
        } catch (IOException ignored) {
            // Stopping matters more than the bookkeeping.
        }
    }
}
