// Storefront routes (placeholder until the storefront lands).
export async function createShopRoutes() {
  return async () => false;
}
