package dev.operator.sks.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.operator.sks.autoscaling.proto.Externalgrpc;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written method descriptors say what externalgrpc.proto says: names, order and message types. */
class CloudProviderServiceTest {

    @Test
    void everyMethodOfTheProtoWithItsMessages() {
        ServiceDescriptor service = Externalgrpc.getDescriptor().findServiceByName("CloudProvider");
        assertThat(service.getFullName()).isEqualTo(CloudProviderService.SERVICE_NAME);
        List<String> names = CloudProviderService.METHODS.stream()
                .map(MethodDescriptor::getBareMethodName)
                .toList();
        assertThat(names)
                .containsExactlyElementsOf(
                        service.getMethods().stream().map(m -> m.getName()).toList());
        for (MethodDescriptor<?, ?> method : CloudProviderService.METHODS) {
            var proto = service.findMethodByName(method.getBareMethodName());
            assertThat(method.getType()).isEqualTo(MethodDescriptor.MethodType.UNARY);
            var request = method.getRequestMarshaller();
            assertThat(((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) request)
                            .getMessagePrototype()
                            .getClass()
                            .getSimpleName())
                    .isEqualTo(proto.getInputType().getName());
            assertThat(((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) method.getResponseMarshaller())
                            .getMessagePrototype()
                            .getClass()
                            .getSimpleName())
                    .isEqualTo(proto.getOutputType().getName());
        }
    }
}
