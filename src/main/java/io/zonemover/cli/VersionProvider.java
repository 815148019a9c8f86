package io.zonemover.cli;

import picocli.CommandLine.IVersionProvider;

/** The version comes from the jar's manifest, so it cannot drift from the build. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = RootCommand.class.getPackage().getImplementationVersion();
        return new String[] {"zonemover " + (version != null ? version : "development build"),
                "Java " + System.getProperty("java.version")};
    }
}
