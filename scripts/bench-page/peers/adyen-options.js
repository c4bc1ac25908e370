// What both Adyen pages give AdyenCheckout: a test client key (made up), the cart's amount and,
// without a session (which needs Adyen's server), the payment methods inline. Never pays.
export const adyenOptions = (paymentMethods) => ({
  environment: 'test',
  clientKey: 'test_BENCHMARKOFFLINECLIENTKEY0000',
  locale: 'en-US',
  countryCode: 'FR',
  amount: { value: 99990, currency: 'EUR' },
  paymentMethodsResponse: { paymentMethods },
  onSubmit: (_state, _component, actions) => actions.reject(),
  onError: (error) => console.warn('adyen:', error.message),
});
