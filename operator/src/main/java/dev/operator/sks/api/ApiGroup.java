package dev.operator.sks.api;

/** The API group and version of every resource the operator serves. */
public final class ApiGroup {
    public static final String GROUP = "sks.operator.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private ApiGroup() {}
}
