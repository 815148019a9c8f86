package io.zonemover.state;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Migration 2.1: Spring Batch's tables, from the schema script Batch ships for the database at hand, unless
 * they are there already (state files made before this migration had Boot create them). Run by Flyway, so its
 * lock serializes processes starting at once on an empty database: one creates the tables, the others wait
 * and find them made. Boot's own initializer ({@code spring.batch.jdbc.initialize-schema}) is off: its script
 * fails on a second run against PostgreSQL, and two first runs at once race.
 */
final class BatchTables extends BaseJavaMigration {

    @Override
    protected void init() {
        // The version and description are given below, not parsed from a V2_1__... class name.
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("2.1");
    }

    @Override
    public String getDescription() {
        return "spring batch tables";
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (present(connection)) {
            return;
        }
        String script = "org/springframework/batch/core/schema-" + platform(connection) + ".sql";
        ScriptUtils.executeSqlScript(connection, new ClassPathResource(script));
    }

    /** Whether Batch's first table exists in the connection's schema (names compared ignoring case). */
    private static boolean present(Connection connection) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet tables = meta.getTables(connection.getCatalog(), connection.getSchema(), "%",
                new String[] {"TABLE"})) {
            while (tables.next()) {
                if ("BATCH_JOB_INSTANCE".equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The suffix of Batch's schema script for this database: schema-postgresql.sql, schema-h2.sql, ... */
    private static String platform(Connection connection) throws SQLException {
        DatabaseType type = DatabaseType.fromProductName(connection.getMetaData().getDatabaseProductName());
        return switch (type) {
            case POSTGRES -> "postgresql";
            case HSQL -> "hsqldb";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }
}
