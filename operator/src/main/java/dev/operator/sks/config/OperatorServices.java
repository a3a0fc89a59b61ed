package dev.operator.sks.config;

import dev.operator.sks.catalog.InstanceTypeCatalog;
import dev.operator.sks.catalog.VersionCatalog;
import java.time.Clock;

/** What every reconciler reads besides the cluster: settings, catalogs and the clock (injected for tests). */
public record OperatorServices(
        OperatorConfig config, VersionCatalog versions, InstanceTypeCatalog instanceTypes, Clock clock) {

    public static OperatorServices loadDefaults(OperatorConfig config) {
        return new OperatorServices(
                config, VersionCatalog.loadDefault(), InstanceTypeCatalog.loadDefault(), Clock.systemUTC());
    }
}
