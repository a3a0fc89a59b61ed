package dev.operator.sks.provider;

/**
 * The provider cannot boot the pool's image: it has none of that name, or the name is not the kind it boots (a
 * template name given to KubeVirt). Retrying does not help until the Nodepool's {@code spec.template} (or the
 * operator's default image) changes, so the message says which image and what to set.
 */
public class ImageRejectedException extends ProviderException {
    private static final long serialVersionUID = 1L;

    public ImageRejectedException(String message) {
        super(message);
    }
}
