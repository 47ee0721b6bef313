import { Injectable, NotFoundException } from '@nestjs/common';

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

@Injectable()
export class ProductsService {
  private readonly products = new Map<string, Product>([
    ['tea-01', { sku: 'tea-01', name: 'Sencha, 100 g', priceCents: 1250 }],
    ['mug-02', { sku: 'mug-02', name: 'Stoneware mug', priceCents: 1800 }],
  ]);

  all(): Product[] {
    return [...this.products.values()];
  }

  one(sku: string): Product {
    const product = this.products.get(sku);
    if (!product) {
      throw new NotFoundException(`no product ${sku}`);
    }
    return product;
  }
}
