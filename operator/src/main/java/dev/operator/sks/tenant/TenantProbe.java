package dev.operator.sks.tenant;

/** Whether a tenant API server answered, and in words what happened (for a condition message; holds no secret). */
public record TenantProbe(boolean reachable, String message) {
    static TenantProbe reachable(String message) {
        return new TenantProbe(true, message);
    }

    static TenantProbe unreachable(String message) {
        return new TenantProbe(false, message);
    }
}
