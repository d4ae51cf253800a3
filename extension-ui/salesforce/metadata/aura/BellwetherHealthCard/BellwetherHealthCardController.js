/* eslint-disable @typescript-eslint/no-unused-expressions -- an Aura controller is a bare object literal */
({
  // The Canvas app reads it as environment.parameters.recordId.
  doInit: function (component) {
    component.set('v.canvasParameters', JSON.stringify({ recordId: component.get('v.recordId') }));
  },
});
