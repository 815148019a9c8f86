package io.zonemover.cli;

import io.zonemover.aws.BlockStore;
import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.FleetJob;
import io.zonemover.jobs.FleetService;
import io.zonemover.jobs.MigrationJob;
import io.zonemover.jobs.MigrationService;
import io.zonemover.jobs.Progress;
import io.zonemover.jobs.SplitJob;
import io.zonemover.jobs.SplitService;
import io.zonemover.state.Schema;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.context.support.GenericApplicationContext;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts Spring (Batch on its JDBC repository: an H2 file by default, or PostgreSQL or another database named
 * by --db / $ZONEMOVER_DB) only for the commands that run or inspect
 * jobs. The two ports are handed in from {@link Connections}, built only if a step asks for them.
 */
final class JobEngine implements AutoCloseable {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({MigrationJob.class, MigrationService.class, FleetJob.class, FleetService.class, SplitJob.class,
            SplitService.class})
    static class Application {
    }

    private final ConfigurableApplicationContext context;

    private JobEngine(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static JobEngine start(Connections connections, Progress progress, long pollMillis) {
        return start(connections, progress, pollMillis, 6);
    }

    /** With room in the connection pool for {@code parallelMoves} moves running at once (a plan's). */
    static JobEngine start(Connections connections, Progress progress, long pollMillis, int parallelMoves) {
        GlobalOptions options = connections.options();
        options.validateStateDatabase();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", options.jdbcUrl());
        if (options.jdbcUrl().startsWith("jdbc:h2:")) {
            // H2's default user; another database takes its user and password from the URL.
            properties.put("spring.datasource.username", "sa");
        }
        properties.put("spring.datasource.hikari.maximum-pool-size", String.valueOf(4 + 2 * Math.max(1, parallelMoves)));
        // Connections are opened as moves need them, not all at start: most commands use one or two.
        properties.put("spring.datasource.hikari.minimum-idle", "1");
        // Moves of a plan create their jobs concurrently; SERIALIZABLE creation makes them fail on each other.
        properties.put("spring.batch.jdbc.isolation-level-for-create", "read-committed");
        // Batch's tables come from Flyway with zonemover's (state.Schema): Boot's initializer errs on a second
        // run against PostgreSQL, and races when two processes start at once on an empty database.
        properties.put("spring.batch.jdbc.initialize-schema", "never");
        properties.put("zonemover.lease-millis", String.valueOf(options.lease().toMillis()));
        properties.put("spring.batch.job.enabled", "false");
        properties.put("spring.main.lazy-initialization", "true");
        properties.put("zonemover.poll-millis", String.valueOf(pollMillis));
        // Errors reach users through the CLI's own one-line messages; logs only with -v, and never on stdout.
        properties.put("logging.threshold.console", options.verbose() ? "WARN" : "OFF");
        properties.put("logging.level.org.springframework.batch", options.verbose() ? "INFO" : "OFF");
        ConfigurableApplicationContext context;
        try {
            context = new SpringApplicationBuilder(Application.class)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .registerShutdownHook(false)
                    .properties(properties)
                    .initializers(ctx -> {
                        GenericApplicationContext app = (GenericApplicationContext) ctx;
                        app.registerBean("progress", Progress.class, () -> progress);
                        app.registerBean("cluster", Cluster.class, () -> new KubeCluster(connections.kube()));
                        // Moves in flight share EC2's answers for a poll interval: a step sleeps at least that
                        // long between two looks, so it never gets its own last answer back.
                        app.registerBean("blockStore", BlockStore.class, () -> new Ec2BlockStore(connections.ec2(),
                                java.time.Duration.ofMillis(pollMillis)));
                    })
                    .run();
        } catch (RuntimeException e) {
            throw opening(options, e);
        }
        // Open the database now, so a --db that is not one is told apart from a failure inside a job.
        // Then bring its tables up to date, before Batch reads any.
        try (Connection connection = context.getBean(DataSource.class).getConnection()) {
            connection.isValid(1);
            Schema.migrate(context.getBean(DataSource.class));
        } catch (SQLException | RuntimeException e) {
            context.close();
            throw opening(options, e);
        }
        return new JobEngine(context);
    }

    /** A database error while opening the state database: bad input (named after --db) or a failure. */
    private static RuntimeException opening(GlobalOptions options, Exception e) {
        ZonemoverException bad = options.databaseProblem(e, true);
        if (bad != null) {
            return bad;
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        return ZonemoverException.failed("cannot open " + options.databaseLabel() + ": "
                + GlobalOptions.firstLine(e.getMessage()), e);
    }

    MigrationService migrations() {
        return context.getBean(MigrationService.class);
    }

    FleetService fleet() {
        return context.getBean(FleetService.class);
    }

    SplitService splits() {
        return context.getBean(SplitService.class);
    }

    @Override
    public void close() {
        context.close();
    }
}
