// The smallest valid greenlight.yaml (app shop, local target on 127.0.0.1:8080), for spec tests to extend.
export const MINIMAL_SPEC_TEXT = `apiVersion: greenlight.dev/v1alpha1
kind: App
metadata:
  name: shop
spec:
  target:
    local:
      listen: 127.0.0.1:8080
      run:
        command: [node, server.js]
`;
